import { GraphQLJSONObject } from 'graphql-scalars';
import { Arg, Ctx, Field, Int, Mutation, Query, Resolver } from 'type-graphql';

import { authorizeGlobal } from '../../auth';
import type { BookFile } from '../../domain/book/book-file';
import type { GraphQLContext } from '../context';
import { OutputType } from '../output-type';

@OutputType('BookSummary', { description: 'What an import stored.' })
export class BookSummaryType {
  @Field()
  baseCurrency!: string;

  @Field(() => Int)
  assets!: number;

  @Field(() => Int)
  holdings!: number;

  @Field(() => Int)
  accounts!: number;
}

@Resolver()
export class BookResolver {
  @Query(() => GraphQLJSONObject, {
    description: 'The whole book in the book-file format (schema/book.schema.json), decimals as strings.',
  })
  async exportBook(@Ctx() context: GraphQLContext): Promise<BookFile> {
    authorizeGlobal(context.principal, 'VIEWER');
    return {
      ...context.services.books.exportBook(await context.book()),
      ...(await context.services.risk.bookSections()),
    };
  }

  @Mutation(() => BookSummaryType, {
    description:
      'Replaces the whole book with a book file (schema/book.schema.json). Validated in full first; on any error nothing changes.',
  })
  importBook(
    @Ctx() context: GraphQLContext,
    @Arg('book', () => GraphQLJSONObject) book: Record<string, unknown>,
  ): Promise<BookSummaryType> {
    authorizeGlobal(context.principal, 'ADMIN');
    // The book's scenarios and price histories are parsed with it and stored in the same
    // replaceBook: all or nothing.
    return context.services.referenceData.importBook(book);
  }
}
