export function withErrorInputs<T extends { functions: unknown[] }>(metadata: T): T & { allowErrorForDataTypeAny: true };
