export * from './app-process';
export * from './database';
export * from './nats-server';
export * from './ports';
export * from './tessera';
export * from './http';
export * from './postgres-server';
export * from './supervisor';
