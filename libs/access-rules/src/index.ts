export * from './access-state';
export * from './holding-changes';
