package io.gantry.server.query;

import io.gantry.server.error.GantryException;
import io.gantry.server.query.Filter.Literal;
import io.gantry.server.query.Filter.Operator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Parses the filter grammar of list calls (a small subset of AIP-160):
 *
 * <pre>
 * filter     = or
 * or         = and { "OR" and }
 * and        = unary { "AND" unary }
 * unary      = "NOT" unary | "(" or ")" | comparison
 * comparison = path ( "=" | "!=" | "<" | "<=" | ">" | ">=" | "LIKE" | "ILIKE" ) value
 *            | path "IN" "(" value { "," value } ")"
 * path       = identifier { "." ( identifier | `quoted` | "quoted" ) }
 * value      = "string" | 'string' | number | word
 * </pre>
 *
 * The result is only a tree; {@link FilterSchema} turns it into jOOQ conditions with bind values,
 * so no text of the filter ever reaches SQL.
 */
public final class FilterParser {

  static final int MAX_LENGTH = 4096;
  private static final int MAX_DEPTH = 32;
  private static final String FIELD = "filter";
  private static final String OPERATORS = "= != < <= > >= LIKE ILIKE IN";

  private final String text;
  private int position;
  private int depth;

  private FilterParser(String text) {
    this.text = text;
  }

  /** Empty for a blank filter. */
  public static Optional<Filter> parse(String text) {
    if (text.isBlank()) {
      return Optional.empty();
    }
    if (text.length() > MAX_LENGTH) {
      throw GantryException.invalid(FIELD, "is " + text.length() + " characters long; at most " + MAX_LENGTH);
    }
    FilterParser parser = new FilterParser(text);
    Filter filter = parser.or();
    parser.skipSpace();
    if (parser.position < text.length()) {
      throw parser.error("unexpected '" + parser.rest() + "'");
    }
    return Optional.of(filter);
  }

  private Filter or() {
    Filter left = and();
    while (keyword("OR")) {
      left = new Filter.Or(left, and());
    }
    return left;
  }

  private Filter and() {
    Filter left = unary();
    while (keyword("AND")) {
      left = new Filter.And(left, unary());
    }
    return left;
  }

  private Filter unary() {
    if (++depth > MAX_DEPTH) {
      throw error("nested more than " + MAX_DEPTH + " levels deep");
    }
    try {
      if (keyword("NOT")) {
        return new Filter.Not(unary());
      }
      if (symbol("(")) {
        Filter inner = or();
        if (!symbol(")")) {
          throw error("expected ')'");
        }
        return inner;
      }
      return comparison();
    } finally {
      depth--;
    }
  }

  private Filter comparison() {
    skipSpace();
    int column = position + 1;
    List<String> path = new ArrayList<>();
    path.add(identifier().orElseThrow(() -> error("expected a field name")));
    while (symbol(".")) {
      skipSpace();
      Optional<String> segment = identifier();
      if (segment.isEmpty() && position < text.length() && "`\"'".indexOf(text.charAt(position)) >= 0) {
        segment = Optional.of(quoted());
      }
      path.add(segment.orElseThrow(() -> error("expected a name after '.'")));
    }
    if (keyword("IN")) {
      return new Filter.In(List.copyOf(path), values(), column);
    }
    Operator operator = operator();
    Literal value = value();
    return new Filter.Comparison(List.copyOf(path), operator, value, column);
  }

  private Operator operator() {
    skipSpace();
    for (String symbol : new String[] {"!=", "<=", ">=", "=", "<", ">"}) {
      if (text.startsWith(symbol, position)) {
        position += symbol.length();
        for (Operator operator : Operator.values()) {
          if (operator.symbol().equals(symbol)) {
            return operator;
          }
        }
      }
    }
    if (keyword("LIKE")) {
      return Operator.LIKE;
    }
    if (keyword("ILIKE")) {
      return Operator.ILIKE;
    }
    throw error(position < text.length() ? "expected an operator (" + OPERATORS + "), found '" + rest() + "'"
        : "expected an operator (" + OPERATORS + ") at the end");
  }

  /** {@code ( value { , value } )}: the list of an IN. */
  private List<Literal> values() {
    if (!symbol("(")) {
      throw error("expected '(' after IN");
    }
    List<Literal> values = new ArrayList<>();
    do {
      values.add(value());
    } while (symbol(","));
    if (!symbol(")")) {
      throw error("expected ',' or ')' in the list after IN");
    }
    return List.copyOf(values);
  }

  private Literal value() {
    skipSpace();
    if (position >= text.length()) {
      throw error("expected a value at the end");
    }
    char c = text.charAt(position);
    if (c == '"' || c == '\'') {
      return new Literal(Literal.Kind.STRING, quoted());
    }
    if (Character.isDigit(c) || c == '-' || c == '+' || c == '.') {
      int start = position;
      position++;
      while (position < text.length() && isNumberChar(text.charAt(position))) {
        position++;
      }
      String number = text.substring(start, position);
      try {
        Double.parseDouble(number);
      } catch (NumberFormatException e) {
        position = start;
        throw error("'" + number + "' is not a number");
      }
      return new Literal(Literal.Kind.NUMBER, number);
    }
    return new Literal(Literal.Kind.WORD, identifier().orElseThrow(() -> error("expected a value, found '" + rest() + "'")));
  }

  private static boolean isNumberChar(char c) {
    return Character.isDigit(c) || c == '.' || c == 'e' || c == 'E' || c == '-' || c == '+';
  }

  private Optional<String> identifier() {
    skipSpace();
    int start = position;
    if (position < text.length() && (Character.isLetter(text.charAt(position)) || text.charAt(position) == '_')) {
      position++;
      while (position < text.length() && isIdentifierChar(text.charAt(position))) {
        position++;
      }
    }
    return start == position ? Optional.empty() : Optional.of(text.substring(start, position));
  }

  private static boolean isIdentifierChar(char c) {
    return c < 128 && (Character.isLetterOrDigit(c) || c == '_' || c == '-');
  }

  private String quoted() {
    char quote = text.charAt(position);
    int start = position++;
    StringBuilder value = new StringBuilder();
    while (position < text.length()) {
      char c = text.charAt(position++);
      if (c == quote) {
        return value.toString();
      }
      if (c == '\\' && position < text.length()) {
        c = text.charAt(position++);
      }
      value.append(c);
    }
    position = start;
    throw error("unterminated " + quote + "quoted" + quote + " text");
  }

  /** Matches a keyword as a whole word, any case. */
  private boolean keyword(String word) {
    skipSpace();
    int end = position + word.length();
    if (end <= text.length() && text.substring(position, end).toUpperCase(Locale.ROOT).equals(word)
        && (end == text.length() || !isIdentifierChar(text.charAt(end)))) {
      position = end;
      return true;
    }
    return false;
  }

  private boolean symbol(String symbol) {
    skipSpace();
    if (text.startsWith(symbol, position)) {
      position += symbol.length();
      return true;
    }
    return false;
  }

  private void skipSpace() {
    while (position < text.length() && Character.isWhitespace(text.charAt(position))) {
      position++;
    }
  }

  private String rest() {
    String rest = text.substring(position);
    return rest.length() > 20 ? rest.substring(0, 20) + "…" : rest;
  }

  private GantryException error(String problem) {
    return GantryException.invalid(FIELD, "at column " + (position + 1) + ": " + problem);
  }
}
