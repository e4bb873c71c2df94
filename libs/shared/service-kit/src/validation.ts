import { ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldError, problem } from './problem';

function flatten(errors: ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.entries(error.constraints ?? {}).map(([rule, message]) => ({ field, rule, message }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** class-validator at the edge: unknown fields rejected, each broken rule named in problem+json. */
export const problemValidationPipe = (): ValidationPipe =>
  new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const fieldErrors = flatten(errors);
      return problem(400, 'Bad Request', `Invalid fields: ${[...new Set(fieldErrors.map((e) => e.field))].join(', ')}`, fieldErrors);
    },
  });
