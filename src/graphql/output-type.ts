/**
 * `@OutputType`: type-graphql's `@ObjectType` with simple resolvers, for every object type of this
 * schema. Without them type-graphql puts its middleware wrapper on every field, even a plain
 * property; graphql-js then pays a closure, a resolver-data object and a middleware pass per field
 * of every answer. This schema has no global middlewares and no field-level auth (resolvers
 * authorize, see src/auth), so the wrapper only cost time: about a sixth of the CPU of an
 * `eligibleAssets` read (README, Load test). `@FieldResolver` methods keep their own resolvers.
 */
// eslint-disable-next-line no-restricted-imports -- the one place ObjectType is applied
import { ObjectType, type ObjectTypeOptions } from 'type-graphql';

export function OutputType(name: string, options: ObjectTypeOptions = {}): ClassDecorator {
  return ObjectType(name, { ...options, simpleResolvers: true });
}
