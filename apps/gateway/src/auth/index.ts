export * from './authenticated-routes';
export * from './auth.module';
export * from './bearer-auth.guard';
export * from './caller-answers';
export * from './current-principal.decorator';
export * from './min-revision';
