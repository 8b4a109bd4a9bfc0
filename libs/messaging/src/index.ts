export * from './nats-connection';
export * from './nats-json.context';
export * from './nats-json.server';
export * from './nats-request';
export * from './rpc-errors.filter';
export * from './nats-link';
export * from './handles.decorator';
export * from './tessera-client';
