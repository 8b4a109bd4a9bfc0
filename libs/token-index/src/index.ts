export * from './token-format';
export * from './token-index';
export * from './token-index.replica';
export * from './token-index.module';
export * from './resource-authorization';
export * from './resolved-caller.interceptor';
export * from './memberships';
