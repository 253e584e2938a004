/**
 * The jest suite on DynamoDB Local (`npm run test:dynamodb-local`). The CDK template tests
 * do not touch a store, so they run only in the main pass.
 */
import base from './jest.config.js';

export default { ...base, testPathIgnorePatterns: ['/node_modules/', '/test/cdk'] };
