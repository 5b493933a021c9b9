package io.gantry.server.web;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * A page being written. Every piece of text goes through {@link #text} or an attribute value, both escaped, so
 * nothing a caller stored (a description, a tag, a comment) can become markup; {@link #raw} takes only markup this
 * package writes itself.
 */
final class Html {

  private final StringBuilder out = new StringBuilder(8192);

  /** Text escaped for an element's content or a quoted attribute value. */
  static String escape(String text) {
    StringBuilder escaped = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> escaped.append("&amp;");
        case '<' -> escaped.append("&lt;");
        case '>' -> escaped.append("&gt;");
        case '"' -> escaped.append("&quot;");
        case '\'' -> escaped.append("&#39;");
        default -> escaped.append(c);
      }
    }
    return escaped.toString();
  }

  /** One path segment or query value, percent-encoded. */
  static String url(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /**
   * Opens {@code tag} with attributes given as name, value pairs; a null value leaves its attribute out, an empty
   * one writes it bare ({@code required}).
   */
  Html open(String tag, String... attributes) {
    out.append('<').append(tag);
    for (int i = 0; i + 1 < attributes.length; i += 2) {
      if (attributes[i + 1] == null) {
        continue;
      }
      out.append(' ').append(attributes[i]);
      if (!attributes[i + 1].isEmpty()) {
        out.append("=\"").append(escape(attributes[i + 1])).append('"');
      }
    }
    out.append('>');
    return this;
  }

  Html close(String tag) {
    out.append("</").append(tag).append('>');
    return this;
  }

  /** {@code <tag attributes>text</tag>}. */
  Html element(String tag, Object text, String... attributes) {
    return open(tag, attributes).text(text).close(tag);
  }

  /** A link to a page of this site. */
  Html link(String href, Object text) {
    return element("a", text, "href", href);
  }

  Html text(Object text) {
    out.append(escape(String.valueOf(text)));
    return this;
  }

  /** Markup written by this package, never anything a caller sent. */
  Html raw(String markup) {
    out.append(markup);
    return this;
  }

  /** A table head row of {@code headers}. */
  Html headerRow(String... headers) {
    open("thead").open("tr");
    for (String header : headers) {
      element("th", header, "scope", "col");
    }
    return close("tr").close("thead");
  }

  /** A table row of cells, each escaped. */
  Html row(Object... cells) {
    open("tr");
    for (Object cell : cells) {
      element("td", cell);
    }
    return close("tr");
  }

  @Override
  public String toString() {
    return out.toString();
  }
}
