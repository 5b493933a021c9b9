package io.gantry.server.ops;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What every request to the HTTP port must pass before any route sees it, decided from the request line and a few
 * headers alone (no HTTP server in here; {@link HttpRouter} applies it in front of every route):
 *
 * <ol>
 *   <li>its {@code Host} names this server: an IP address, {@code localhost}, or a name of
 *       {@code GANTRY_HTTP_ALLOWED_HOSTS}; a port is ignored. A page that rebinds its own DNS name to this machine
 *       sends its own name, so it reads nothing. An IP address is safe to answer to: a browser sends one only to a
 *       page whose origin is that address, which is this server's own (webpack-dev-server and Vite allow them too),
 *       and Kubernetes probes and Prometheus scrapes use the pod's.
 *   <li>a write (any method but GET, HEAD, OPTIONS) comes from no other origin: an {@code Origin} naming another host
 *       or port, {@code Origin: null}, or a {@code Sec-Fetch-Site} other than {@code same-origin}/{@code none} is
 *       refused. Clients that send neither (MLflow's, curl) are not browsers and pass.
 *   <li>a write to a JSON API says {@code Content-Type: application/json}, which no page can send elsewhere without a
 *       CORS preflight this server never grants.
 * </ol>
 */
public final class HttpBoundary {

  /** The request as the boundary reads it: every value a header was sent with, in order. */
  public record Request(String method, String path, String protocol, List<String> host, List<String> origin,
      List<String> fetchSite, List<String> contentType) {}

  /**
   * A refused request.
   *
   * @param errorCode MLflow's {@code error_code} for the refusal, for routes that answer JSON
   * @param json whether the route answers JSON, so the refusal should too
   */
  public record Refusal(int status, String errorCode, String reason, boolean json) {}

  private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");
  private static final Set<String> SAME_ORIGIN_FETCHES = Set.of("same-origin", "none");

  private final Set<String> names = new HashSet<>();
  private final List<String> suffixes = new ArrayList<>();
  private final List<String> jsonApis;
  private final List<String> jsonBodyApis;

  /**
   * @param allowedHosts {@code GANTRY_HTTP_ALLOWED_HOSTS}, as {@code ServerConfig} checked it: lower-case names and
   *     {@code *.domain}
   * @param jsonApis path prefixes whose routes answer JSON (MLflow's error shape)
   * @param jsonBodyApis path prefixes whose writes must carry a JSON body
   */
  public HttpBoundary(List<String> allowedHosts, List<String> jsonApis, List<String> jsonBodyApis) {
    names.add("localhost");
    for (String allowed : allowedHosts) {
      if (allowed.startsWith("*.")) {
        suffixes.add(allowed.substring(1));
      } else {
        names.add(allowed);
      }
    }
    this.jsonApis = List.copyOf(jsonApis);
    this.jsonBodyApis = List.copyOf(jsonBodyApis);
  }

  /** Whether the routes under {@code path} answer JSON, so that a refusal there should too. */
  public boolean answersJson(String path) {
    return under(path, jsonApis);
  }

  /** Empty when the request may go on to its route. */
  public Optional<Refusal> judge(Request request) {
    boolean json = answersJson(request.path());
    Optional<Authority> host = Optional.empty();
    if (request.host().size() > 1) {
      return refuse(400, "BAD_REQUEST", "a request has one Host header, this one has " + request.host().size(), json);
    }
    if (request.host().isEmpty()) {
      if (!"HTTP/1.0".equals(request.protocol())) {
        return refuse(400, "BAD_REQUEST", "the Host header is missing: HTTP/1.1 requires it", json);
      }
    } else {
      host = Authority.parse(request.host().get(0));
      if (host.isEmpty()) {
        return refuse(400, "BAD_REQUEST", "the Host header is not a host name with an optional port", json);
      }
      if (!allowed(host.get().name())) {
        return refuse(403, "PERMISSION_DENIED", "this server does not answer to the name '" + host.get().name()
            + "'. If that is a name of this server, add it to GANTRY_HTTP_ALLOWED_HOSTS (comma-separated; "
            + "*.example.com allows its subdomains)", json);
      }
    }
    if (SAFE_METHODS.contains(request.method())) {
      return Optional.empty();
    }
    Optional<String> crossSite = crossSite(request, host);
    if (crossSite.isPresent()) {
      return refuse(403, "PERMISSION_DENIED", "a cross-site " + request.method() + " is refused: " + crossSite.get()
          + ". Pages of another origin may not change this server; clients that are not browsers send no Origin",
          json);
    }
    if (under(request.path(), jsonBodyApis) && !isJson(request.contentType())) {
      return refuse(415, "INVALID_PARAMETER_VALUE", "a " + request.method() + " to this API must send "
          + "Content-Type: application/json, as MLflow's client does; got "
          + (request.contentType().isEmpty() ? "none" : String.join(", ", request.contentType())), json);
    }
    return Optional.empty();
  }

  private static Optional<Refusal> refuse(int status, String errorCode, String reason, boolean json) {
    return Optional.of(new Refusal(status, errorCode, reason, json));
  }

  private boolean allowed(String name) {
    if (isIpLiteral(name) || names.contains(name)) {
      return true;
    }
    // ".corp.example" from "*.corp.example": at least one label before it, compared as a plain suffix
    return suffixes.stream().anyMatch(suffix -> name.endsWith(suffix) && name.length() > suffix.length());
  }

  /** Why the request comes from another origin than its own, if it does. */
  private static Optional<String> crossSite(Request request, Optional<Authority> host) {
    for (String site : request.fetchSite()) {
      if (!SAME_ORIGIN_FETCHES.contains(site.trim().toLowerCase(Locale.ROOT))) {
        return Optional.of("the browser says Sec-Fetch-Site: " + site);
      }
    }
    if (request.origin().isEmpty()) {
      return Optional.empty();
    }
    if (request.origin().size() > 1) {
      return Optional.of("it names " + request.origin().size() + " origins");
    }
    String origin = request.origin().get(0).trim();
    if (origin.equals("null")) {
      return Optional.of("its Origin is null (a sandboxed frame, a file or a redirect from elsewhere)");
    }
    URI uri;
    try {
      uri = new URI(origin);
    } catch (URISyntaxException e) {
      return Optional.of("its Origin '" + origin + "' is not an origin");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    int defaultPort = scheme.equals("https") ? 443 : scheme.equals("http") ? 80 : -1;
    if (defaultPort < 0 || uri.getHost() == null || uri.getRawPath() != null && !uri.getRawPath().isEmpty()) {
      return Optional.of("its Origin '" + origin + "' is not an http(s) origin");
    }
    if (host.isEmpty()) {
      return Optional.of("it names an Origin but no Host to compare it with");
    }
    // the scheme is not compared: behind a proxy that terminates TLS this port cannot know the browser's scheme
    int originPort = uri.getPort() < 0 ? defaultPort : uri.getPort();
    int hostPort = host.get().port() < 0 ? defaultPort : host.get().port();
    if (!uri.getHost().toLowerCase(Locale.ROOT).equals(host.get().name()) || originPort != hostPort) {
      return Optional.of("its Origin " + origin + " is not this server's");
    }
    return Optional.empty();
  }

  private static boolean isJson(List<String> contentType) {
    if (contentType.size() != 1) {
      return false;
    }
    String value = contentType.get(0);
    int parameters = value.indexOf(';');
    String mediaType = (parameters < 0 ? value : value.substring(0, parameters)).trim();
    return mediaType.equalsIgnoreCase("application/json");
  }

  private static boolean under(String path, List<String> prefixes) {
    return prefixes.stream().anyMatch(path::startsWith);
  }

  /** A dotted-quad IPv4 address or a bracketed IPv6 one, as browsers write them in {@code Host}. */
  static boolean isIpLiteral(String name) {
    if (name.startsWith("[")) {
      return name.indexOf(':') > 0;
    }
    String[] octets = name.split("\\.", -1);
    if (octets.length != 4) {
      return false;
    }
    for (String octet : octets) {
      if (octet.isEmpty() || octet.length() > 3 || !octet.chars().allMatch(c -> c >= '0' && c <= '9')
          || Integer.parseInt(octet) > 255) {
        return false;
      }
    }
    return true;
  }

  /** A {@code Host} value: a lower-case name (IPv6 literals in brackets) and a port, -1 when it has none. */
  record Authority(String name, int port) {

    static Optional<Authority> parse(String value) {
      String host = value.trim().toLowerCase(Locale.ROOT);
      int nameEnd = host.startsWith("[") ? host.indexOf(']') + 1 : host.contains(":") ? host.indexOf(':')
          : host.length();
      if (nameEnd <= 0) {
        return Optional.empty();
      }
      String name = host.substring(0, nameEnd);
      String rest = host.substring(nameEnd);
      boolean validName = name.startsWith("[") ? name.length() > 2
          && name.substring(1, name.length() - 1).chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':'
          || c == '.')
          : name.chars().allMatch(c -> c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.');
      if (!validName) {
        return Optional.empty();
      }
      if (rest.isEmpty()) {
        return Optional.of(new Authority(name, -1));
      }
      String port = rest.substring(1);
      if (!rest.startsWith(":") || port.isEmpty() || port.length() > 5
          || !port.chars().allMatch(c -> c >= '0' && c <= '9') || Integer.parseInt(port) > 65535) {
        return Optional.empty();
      }
      return Optional.of(new Authority(name, Integer.parseInt(port)));
    }
  }
}
