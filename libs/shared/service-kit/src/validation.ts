import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldError, problem } from './problem';

function flatten(errors: ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.entries(error.constraints ?? {}).map(([rule, message]) => ({ field, rule, message }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

// C0 control characters other than tab, line feed and carriage return (PostgreSQL cannot store NUL
// in text or jsonb, and no person types the others), and lone UTF-16 surrogates (half an emoji).
const UNREADABLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Whether a string is text a person wrote: no control characters, no broken characters. */
export const isReadableText = (value: string): boolean => !UNREADABLE.test(value);

/** Every string anywhere in a body that holds a control character, by its dotted path. */
function controlCharacterErrors(value: unknown, path = ''): FieldError[] {
  if (typeof value === 'string') {
    return !isReadableText(value) ? [{ field: path, rule: 'noControlCharacters', message: `${path} must be readable text, without control characters` }] : [];
  }
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, child]) => controlCharacterErrors(child, path ? `${path}.${key}` : key));
  }
  return [];
}

const invalid = (fieldErrors: FieldError[]) =>
  problem(400, 'Bad Request', `Invalid fields: ${[...new Set(fieldErrors.map((e) => e.field))].join(', ')}`, fieldErrors);

/** class-validator at the edge: unknown fields and control characters rejected, each broken rule named in problem+json. */
class ProblemValidationPipe extends ValidationPipe {
  constructor() {
    super({ whitelist: true, forbidNonWhitelisted: true, transform: true, exceptionFactory: (errors) => invalid(flatten(errors)) });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' || metadata.type === 'query') {
      const errors = controlCharacterErrors(value);
      if (errors.length > 0) throw invalid(errors);
    }
    return super.transform(value, metadata);
  }
}

export const problemValidationPipe = (): ValidationPipe => new ProblemValidationPipe();
