export { Database, Statement, type Params, type QueryResult, type OpenOptions, type QueryOptions } from './database';
export { SqlError, type SqlErrorCode } from './errors';
