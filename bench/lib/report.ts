/** One row of a benchmark table; `--json` prints each row as one JSON object. */
export interface BenchmarkRow {
  readonly name: string;
  /** Throughput, the median over interleaved rounds. */
  readonly ops_per_s?: number;
  /** Duration in milliseconds, the median over runs. */
  readonly ms?: number;
  /** Name of the row this one is compared with, measured in the same run. */
  readonly baseline: string;
  /** This row divided by the baseline: throughput ratio for `ops_per_s`, duration ratio for `ms`. */
  readonly ratio: number;
  /** Further measured figures of the row, such as bundle size or DynamoDB calls. */
  readonly extra?: Readonly<Record<string, number | string>>;
  /** The target this row is held to, in words, and whether the measurement meets it. */
  readonly target?: string;
  readonly met?: boolean;
}

/** The result of one benchmark: a title, its rows, and notes on how it was measured. */
export interface BenchmarkTable {
  readonly id: string;
  readonly title: string;
  readonly rows: readonly BenchmarkRow[];
  readonly notes: readonly string[];
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

function formatCell(value: number | string | undefined): string {
  if (value === undefined) return '';
  return typeof value === 'number' ? formatNumber(value) : value;
}

function formatMet(met: boolean | undefined): string {
  if (met === undefined) return '';
  return met ? 'yes' : 'no';
}

/** Renders one table as GitHub-flavoured Markdown, extra columns included. */
export function toMarkdown(table: BenchmarkTable): string {
  const extraColumns = [...new Set(table.rows.flatMap((row) => Object.keys(row.extra ?? {})))];
  const hasOps = table.rows.some((row) => row.ops_per_s !== undefined);
  const hasMs = table.rows.some((row) => row.ms !== undefined);
  const hasTarget = table.rows.some((row) => row.target !== undefined);

  const header = ['name', ...(hasOps ? ['ops/s'] : []), ...(hasMs ? ['ms'] : []), ...extraColumns, 'ratio', 'baseline'];
  if (hasTarget) header.push('target', 'met');

  const lines = [`### ${table.title}`, '', `| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`];
  for (const row of table.rows) {
    const cells = [row.name];
    if (hasOps) cells.push(formatCell(row.ops_per_s));
    if (hasMs) cells.push(formatCell(row.ms));
    for (const column of extraColumns) cells.push(formatCell(row.extra?.[column]));
    cells.push(row.ratio.toFixed(2), row.baseline);
    if (hasTarget) cells.push(row.target ?? '', formatMet(row.met));
    lines.push(`| ${cells.join(' | ')} |`);
  }
  if (table.notes.length > 0) lines.push('', ...table.notes.map((note) => `- ${note}`));
  return lines.join('\n');
}

/** Renders each row as one JSON line, tagged with the benchmark it belongs to. */
export function toJsonLines(table: BenchmarkTable): string {
  return table.rows.map((row) => JSON.stringify({ benchmark: table.id, ...row })).join('\n');
}
