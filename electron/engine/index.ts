export { Database, Statement, type Params, type QueryResult, type OpenOptions } from './database';
export { SqlError, type SqlErrorCode } from './errors';
