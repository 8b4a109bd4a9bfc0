import { ValidationPipe, type ArgumentMetadata, type ValidationError } from '@nestjs/common';
import { TesseraError } from '@tessera/contracts';
import { badInput, findBadJson } from '../http/bad-input';

/**
 * Request bodies, queries and path parameters, after the guards (a caller without a token gets
 * its 401 first): text PostgreSQL cannot hold is refused, unknown fields rejected, every bad field
 * named in `details`.
 */
export class ContractValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: (errors: ValidationError[]) => {
        const details = flatten(errors);
        return new TesseraError(
          'bad_request',
          details.map((detail) => `${detail.field}: ${detail.problems.join(', ')}`).join('; '),
          details,
        );
      },
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type !== 'custom') {
      const bad = findBadJson(value);
      if (bad) throw badInput(metadata.data && bad.field === 'body' ? { ...bad, field: metadata.data } : bad);
    }
    return super.transform(value, metadata);
  }
}

export function createValidationPipe(): ValidationPipe {
  return new ContractValidationPipe();
}

function flatten(errors: ValidationError[], prefix = ''): { field: string; problems: string[] }[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, problems: Object.values(error.constraints) }] : [];
    return [...own, ...flatten(error.children ?? [], field)];
  });
}
