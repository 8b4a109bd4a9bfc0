export * from './access-state';
export { GroupMemberships, type AccessGroup, type GroupRecord } from './group-memberships';
export * from './holding-changes';
