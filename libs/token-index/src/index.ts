export * from './token-format';
export * from './token-index';
export * from './token-index.replica';
export { tokenLogSql } from './token-log';
export * from './token-index.module';
export * from './resource-authorization';
export * from './resolved-caller.interceptor';
export * from './memberships';
