/**
 * CloudWatch dashboard and alarms of the backend. Business metrics come from the functions
 * in embedded metric format (names in `src/metrics/metric-names.ts`); latency and API errors
 * from the Lambda and API Gateway metrics.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { DASHBOARD_ERROR_CODES, DASHBOARD_GRANT_TYPES, DIMENSION, METRIC, METRICS_SERVICE } from '../src/metrics/metric-names.js';
import type { BackendFunction } from './functions.js';

export interface AuthBackendMonitoringProps {
  readonly api: apigateway.RestApi;
  /** Functions by role; each gets a p99 latency line. */
  readonly functions: Readonly<Record<string, BackendFunction>>;
  readonly namespace: string;
  readonly alarmTopic: sns.ITopic | undefined;
  /** Average 5xx rate (0 to 1) over 5 minutes that raises the alarm. */
  readonly serverErrorRateThreshold: number;
}

const PERIOD = Duration.minutes(5);

export class AuthBackendMonitoring extends Construct {
  readonly dashboard: cloudwatch.Dashboard;
  /** Raised when the REST API's 5xx rate exceeds the threshold in 2 of 3 periods of 5 minutes. */
  readonly serverErrorAlarm: cloudwatch.Alarm;
  /** Raised on any refresh-token reuse: a stolen token or a broken client. */
  readonly refreshReuseAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: AuthBackendMonitoringProps) {
    super(scope, id);
    const metric = (metricName: string, dimensions: Record<string, string> = {}, label?: string): cloudwatch.Metric =>
      new cloudwatch.Metric({
        namespace: props.namespace,
        metricName,
        dimensionsMap: { [DIMENSION.service]: METRICS_SERVICE, ...dimensions },
        statistic: cloudwatch.Stats.SUM,
        period: PERIOD,
        label,
      });

    const reuse = metric(METRIC.refreshTokenReuse, {}, 'reuse detections');
    this.serverErrorAlarm = new cloudwatch.Alarm(this, 'ServerErrorRate', {
      alarmDescription: `REST API 5xx rate above ${props.serverErrorRateThreshold * 100}% in 2 of 3 periods of 5 minutes`,
      metric: props.api.metricServerError({ statistic: cloudwatch.Stats.AVERAGE, period: PERIOD }),
      threshold: props.serverErrorRateThreshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.refreshReuseAlarm = new cloudwatch.Alarm(this, 'RefreshTokenReuse', {
      alarmDescription: 'A rotated refresh token was presented again, and its family was revoked',
      metric: metric(METRIC.refreshTokenReuse),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (props.alarmTopic !== undefined) {
      for (const alarm of [this.serverErrorAlarm, this.refreshReuseAlarm]) alarm.addAlarmAction(new actions.SnsAction(props.alarmTopic));
    }

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `${Stack.of(this).stackName}-auth`,
      defaultInterval: Duration.hours(3),
    });
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Tokens issued per grant type',
        left: DASHBOARD_GRANT_TYPES.map((grant) => metric(METRIC.tokensIssued, { [DIMENSION.grantType]: grant }, grant)),
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'OAuth errors by code',
        left: DASHBOARD_ERROR_CODES.map((code) => metric(METRIC.oauthErrors, { [DIMENSION.errorCode]: code }, code)),
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'Refresh-token reuse detections', left: [reuse], width: 6 }),
      new cloudwatch.GraphWidget({
        title: 'Authorizer decisions',
        left: [metric(METRIC.authorizerAllow, {}, 'allow'), metric(METRIC.authorizerDeny, {}, 'deny')],
        width: 6,
      }),
      new cloudwatch.GraphWidget({
        title: 'Lockouts',
        left: ['user', 'client'].map((kind) => metric(METRIC.lockouts, { [DIMENSION.lockKind]: kind }, kind)),
        width: 6,
      }),
      new cloudwatch.GraphWidget({
        title: 'REST API 4xx and 5xx',
        left: [
          props.api.metricClientError({ statistic: cloudwatch.Stats.SUM, period: PERIOD, label: '4xx' }),
          props.api.metricServerError({ statistic: cloudwatch.Stats.SUM, period: PERIOD, label: '5xx' }),
        ],
        width: 6,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'p99 duration per function (ms)',
        left: Object.entries(props.functions).map(([name, fn]) =>
          fn.function.metricDuration({ statistic: cloudwatch.Stats.p(99), period: PERIOD, label: name }),
        ),
        width: 24,
      }),
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: [this.serverErrorAlarm, this.refreshReuseAlarm], width: 24 }),
    );
  }
}
