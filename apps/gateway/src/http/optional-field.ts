import { ValidateIf } from 'class-validator';

/**
 * A body field that may be left out, but not sent as `null`: class-validator's IsOptional lets
 * null through every other check, so `{"name":null}` would reach the owning app (and its events).
 */
export const OptionalField = (): PropertyDecorator => ValidateIf((_object: object, value: unknown) => value !== undefined);
