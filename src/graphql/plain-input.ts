/**
 * GraphQL hands resolvers input-class instances in which an omitted nullable field may be
 * `null`. The use cases validate inputs against the book-file rules, where a field is either
 * present with a value or absent; this turns the one into the other.
 */
export function plainInput<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item) => plainInput(item)) as T;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, field]) => field !== null && field !== undefined);
    return Object.fromEntries(entries.map(([key, field]) => [key, plainInput(field)])) as T;
  }
  return value;
}
