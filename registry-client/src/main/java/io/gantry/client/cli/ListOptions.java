package io.gantry.client.cli;

import picocli.CommandLine.Option;

/** Filtering and ordering of the list commands, and their paging. */
final class ListOptions extends PageOptions {

  @Option(names = "--filter", paramLabel = "EXPR", defaultValue = "",
      description = "e.g. 'name LIKE \"taxi-%%\" AND tags.team = \"risk\"' (see docs/api.md).")
  String filter;

  @Option(names = "--order-by", paramLabel = "FIELD", defaultValue = "",
      description = "Fields, each optionally followed by desc, e.g. 'create_time desc' or 'name, version desc'.")
  String orderBy;
}
