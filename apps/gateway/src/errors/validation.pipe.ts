import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { TesseraError } from '@tessera/contracts';

/** Request bodies and queries: unknown fields rejected, every bad field named in `details`. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors: ValidationError[]) => {
      const details = flatten(errors);
      return new TesseraError('bad_request', details.map((detail) => `${detail.field}: ${detail.problems.join(', ')}`).join('; '), details);
    },
  });
}

function flatten(errors: ValidationError[], prefix = ''): { field: string; problems: string[] }[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, problems: Object.values(error.constraints) }] : [];
    return [...own, ...flatten(error.children ?? [], field)];
  });
}
