package io.gantry.client.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Empty;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Prints a response as the CLI's JSON ({@link Json}, docs/cli.md) or, for people, as text that the command's own
 * view draws ({@code ModelView}, {@code AuditView}, …). Knows tables and JSON, no response type.
 */
final class Printer {

  enum Format { table, json }

  private final PrintWriter out;
  private final Format format;

  Printer(PrintWriter out, Format format) {
    this.out = out;
    this.format = format;
  }

  /** -o json: the message; otherwise {@code text} draws it. */
  void print(MessageOrBuilder message, Consumer<PrintWriter> text) {
    if (format == Format.json) {
      out.println(Json.text(Json.message(message)));
    } else {
      text.accept(out);
    }
  }

  /** A message shown as one table or key/value block. */
  void printTable(MessageOrBuilder message, Supplier<TextTable> table) {
    print(message, out -> table.get().print(out));
  }

  /** A page of a listing: its table, then how to fetch the next page if there is one. */
  void printPage(MessageOrBuilder page, String nextPageToken, Supplier<TextTable> table) {
    print(page, out -> {
      table.get().print(out);
      if (!nextPageToken.isEmpty()) {
        out.println("more: --page-token " + nextPageToken + "  (or --all)");
      }
    });
  }

  /** For streamed output: -o json prints the message on one line (JSON Lines); otherwise {@code text} does. */
  void printLine(MessageOrBuilder message, Consumer<PrintWriter> text) {
    if (format == Format.json) {
      printLine(Json.message(message), text);
    } else {
      text.accept(out);
    }
  }

  /** As {@link #printLine(MessageOrBuilder, Consumer)}, for JSON that is no API message. */
  void printLine(JsonNode json, Consumer<PrintWriter> text) {
    if (format == Format.json) {
      out.println(Json.line(json));
    } else {
      text.accept(out);
    }
  }

  /** The header of rows printed as they arrive; nothing for JSON, where each row is one line. */
  void header(String line) {
    if (format != Format.json) {
      out.println(line);
    }
  }

  void table(TextTable table) {
    if (format != Format.json) {
      table.print(out);
    }
  }

  /** A table after another, a blank line apart. */
  void followingTable(TextTable table) {
    if (format != Format.json) {
      out.println();
      table.print(out);
    }
  }

  void deleted(String name) {
    print(Empty.getDefaultInstance(), out -> out.println("deleted " + name));
  }

  /** A message in the CLI's JSON, for -o json. */
  void message(MessageOrBuilder message) {
    print(message, out -> { });
  }

  /** A flat report that is no API message (the benchmark figures), in the order its fields were added. */
  void report(Struct report) {
    if (format == Format.json) {
      out.println(Json.text(Json.report(report)));
      return;
    }
    TextTable block = new TextTable();
    report.getFieldsMap().forEach((key, value) -> block.row(key, text(value)));
    block.print(out);
  }

  private static String text(Value value) {
    if (value.hasBoolValue()) {
      return Boolean.toString(value.getBoolValue());
    }
    if (value.hasNumberValue()) {
      double number = value.getNumberValue();
      return number == Math.rint(number) && Math.abs(number) < 1e15
          ? Long.toString((long) number)
          : String.format(Locale.ROOT, "%.3f", number);
    }
    return value.getStringValue();
  }
}
