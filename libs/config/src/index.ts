export * from './tessera-config';
