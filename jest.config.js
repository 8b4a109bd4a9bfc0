/** Unit tests beside the code (*.spec.ts) and end-to-end tests in test/ (*.e2e-spec.ts). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/test'],
  testRegex: '\\.(e2e-)?spec\\.ts$',
  transform: {
    '^.+\\.(t|j)s$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|@fastify|fastify)/)'],
  moduleNameMapper: { '^@tessera/(.*)$': '<rootDir>/libs/$1/src' },
  testTimeout: 60000,
  maxWorkers: 2,
};
