package io.gantry.server.web;

import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * One metric of a model's versions, drawn on the server as inline SVG: versions left to right in the order they
 * were registered, the value up the side. No script and nothing fetched; each point carries its value in a
 * {@code <title>} (shown on hover and read by screen readers), and the page lists the same numbers in a table.
 */
final class MetricPlot {

  /** One version's value. */
  record Point(long version, Instant registered, double value) {}

  private static final int WIDTH = 640;
  private static final int HEIGHT = 260;
  private static final int LEFT = 64;
  private static final int RIGHT = 24;
  private static final int TOP = 16;
  private static final int BOTTOM = 40;
  private static final int TICKS = 4;

  private MetricPlot() {}

  static void draw(Html html, String title, List<Point> points) {
    double min = points.stream().mapToDouble(Point::value).min().orElse(0);
    double max = points.stream().mapToDouble(Point::value).max().orElse(1);
    double pad = max > min ? (max - min) * 0.1 : Math.max(Math.abs(max) * 0.1, 1);
    double low = min - pad;
    double high = max + pad;
    html.open("svg", "xmlns", "http://www.w3.org/2000/svg", "viewBox", "0 0 " + WIDTH + " " + HEIGHT,
            "role", "img", "aria-labelledby", "plot-title", "class", "plot", "id", "metric-plot")
        .element("title", title, "id", "plot-title");
    int plotBottom = HEIGHT - BOTTOM;
    line(html, LEFT, TOP, LEFT, plotBottom, "#888");
    line(html, LEFT, plotBottom, WIDTH - RIGHT, plotBottom, "#888");
    for (int i = 0; i <= TICKS; i++) {
      double value = low + (high - low) * i / TICKS;
      double y = y(value, low, high);
      line(html, LEFT - 4, y, WIDTH - RIGHT, y, "#e4e4e4");
      html.element("text", number(value), "x", fmt(LEFT - 8), "y", fmt(y + 4), "text-anchor", "end",
          "font-size", "11", "fill", "#444");
    }
    StringBuilder polyline = new StringBuilder();
    for (int i = 0; i < points.size(); i++) {
      polyline.append(fmt(x(i, points.size()))).append(',').append(fmt(y(points.get(i).value(), low, high)))
          .append(' ');
    }
    html.open("polyline", "points", polyline.toString().strip(), "fill", "none", "stroke", "#1f5fa8",
        "stroke-width", "2").close("polyline");
    for (int i = 0; i < points.size(); i++) {
      Point point = points.get(i);
      double x = x(i, points.size());
      html.open("circle", "cx", fmt(x), "cy", fmt(y(point.value(), low, high)), "r", "5", "fill", "#1f5fa8",
              "class", "point")
          .element("title", "version " + point.version() + ": " + number(point.value()) + " (registered "
              + point.registered() + ")")
          .close("circle");
      html.element("text", "v" + point.version(), "x", fmt(x), "y", fmt(plotBottom + 16), "text-anchor", "middle",
          "font-size", "12", "fill", "#222");
      html.element("text", point.registered().toString().substring(0, 10), "x", fmt(x), "y", fmt(plotBottom + 30),
          "text-anchor", "middle", "font-size", "10", "fill", "#666");
    }
    html.close("svg");
  }

  static String number(double value) {
    return String.format(Locale.ROOT, "%.4g", value).replaceAll("(\\.\\d*?)0+$", "$1").replaceAll("\\.$", "");
  }

  private static void line(Html html, double x1, double y1, double x2, double y2, String colour) {
    html.open("line", "x1", fmt(x1), "y1", fmt(y1), "x2", fmt(x2), "y2", fmt(y2), "stroke", colour).close("line");
  }

  private static double x(int index, int count) {
    double span = WIDTH - LEFT - RIGHT - 40;
    return LEFT + 20 + (count == 1 ? span / 2 : span * index / (count - 1));
  }

  private static double y(double value, double low, double high) {
    return TOP + (HEIGHT - TOP - BOTTOM) * (high - value) / (high - low);
  }

  private static String fmt(double coordinate) {
    return String.format(Locale.ROOT, "%.1f", coordinate);
  }
}
