export * from './http-observability';
export * from './logging';
export * from './metric-families';
export * from './metrics-server';
export * from './tessera-metrics';
export * from './tracing';
