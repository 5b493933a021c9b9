package io.gantry.client.cli;

import java.util.function.BinaryOperator;
import java.util.function.Function;
import picocli.CommandLine.Option;

/** Paging of the list commands: one page at a time, or every page with {@code --all}. */
class PageOptions {

  @Option(names = "--page-size", paramLabel = "N", defaultValue = "0",
      description = "Rows per page (server default 50, at most 1000).")
  int pageSize;

  @Option(names = "--page-token", paramLabel = "TOKEN", defaultValue = "",
      description = "Continue from the token printed by the previous page.")
  String pageToken;

  @Option(names = "--all", description = "Follow the page tokens and print every row.")
  boolean all;

  /**
   * The page asked for; with {@code --all}, every page from there on merged into one response.
   *
   * @param pageAt fetches the page a token points at
   * @param merge appends the rows of a later page, taking its next-page token
   */
  <R> R fetch(Function<String, R> pageAt, Function<R, String> nextPageToken, BinaryOperator<R> merge) {
    R result = pageAt.apply(pageToken);
    while (all && !nextPageToken.apply(result).isEmpty()) {
      result = merge.apply(result, pageAt.apply(nextPageToken.apply(result)));
    }
    return result;
  }
}
