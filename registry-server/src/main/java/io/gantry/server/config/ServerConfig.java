package io.gantry.server.config;

import io.gantry.server.access.RoleBinding;
import io.gantry.server.artifact.store.S3Settings;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Everything the server reads from its environment. With no variables set it runs the embedded
 * default: PostgreSQL and data under {@code ./gantry-data}, gRPC on 127.0.0.1:9090.
 *
 * @param grpcPort 0 picks a free port (tests)
 * @param httpPort health ({@code /healthz}) and Prometheus metrics ({@code /metrics}); 0 picks a free port
 * @param dataDir home of the embedded database (and, later, filesystem artifacts)
 * @param externalDatabase set when {@code GANTRY_DB_URL} points at an external PostgreSQL
 * @param audit how the audit log signs and publishes checkpoints
 * @param promotion how long promotions wait for approval, and the policy file loaded at start
 * @param artifacts where version files are stored, and when the janitor cleans up
 * @param cache the resolve cache
 * @param workerThreads threads for every call that is not a cache hit (those run on the network threads)
 * @param networkThreads the transport's event loops, which also answer cache hits and health checks
 * @param identity where the gRPC port listens, and how callers are identified there
 * @param limits what one client may ask of the gRPC port
 * @param webhooks how webhook deliveries are sent and retried
 * @param http TLS on the HTTP port, and the web page's sessions
 * @param liveness how long the server waits on the database before it counts the database lost
 * @param mlflowTracking MLflow's tracking server, to pin the files of versions registered through MLflow's API
 */
public record ServerConfig(int grpcPort, int httpPort, Path dataDir, Optional<ExternalDatabase> externalDatabase,
    Audit audit, Promotion promotion, Artifacts artifacts, Cache cache, int workerThreads,
    int networkThreads, Identity identity, Limits limits, Webhooks webhooks, Http http, Liveness liveness,
    Optional<MlflowTracking> mlflowTracking) {

  public static final int DEFAULT_GRPC_PORT = 9090;
  public static final int DEFAULT_HTTP_PORT = 8080;
  public static final String DEFAULT_DATA_DIR = "gantry-data";
  // a note key name: printable, no spaces, no '+' (C2SP signed-note)
  private static final Pattern ORIGIN = Pattern.compile("[!-*,-~]{1,255}");
  // a DNS name, optionally "*." for every name under it; never a port
  private static final Pattern ALLOWED_HOST = Pattern.compile("(\\*\\.)?[a-z0-9-]+(\\.[a-z0-9-]+)*");

  /**
   * Checkpoint settings of the audit log.
   *
   * @param origin the log's name, first line of every checkpoint and name of the signing key
   * @param keyFile the Ed25519 signing key (PKCS#8, base64); generated on first start when absent.
   *     Replicas sharing a database must share it.
   * @param attestationKeyFile the Ed25519 key that signs promotion attestations, in the same form; generated when
   *     absent. Replicas must share it too.
   * @param refusals how refused calls are written
   */
  public record Audit(String origin, Path keyFile, Path attestationKeyFile, long checkpointEveryEvents,
      Duration checkpointInterval, Refusals refusals) {}

  /**
   * How refused calls reach the audit log (docs/audit.md).
   *
   * @param window how long the refused credentials of one peer and credential are summarized before they are written
   * @param maxKeys how many peer and credential pairs are summarized apart; the rest are summarized together
   * @param maxPending how many refusal events may wait to be written; beyond it they are counted, not written
   */
  public record Refusals(Duration window, int maxKeys, int maxPending) {}

  /**
   * Promotion settings.
   *
   * @param ttl how long a promotion may await approval before it expires
   * @param policyFile policy bindings applied at start (each change audited), when set
   * @param policyTimeLimit how long one policy may take to decide before its verdict is FAIL
   * @param policyEvaluators how many policies may be evaluated at the same time
   */
  public record Promotion(Duration ttl, Optional<Path> policyFile, Duration policyTimeLimit, int policyEvaluators) {}

  /**
   * Artifact settings.
   *
   * @param s3 an S3-compatible store (MinIO, S3, Ceph); empty for the filesystem store under the data directory
   * @param uploadTimeout a version still PENDING_UPLOAD this long after it was created is failed by the janitor
   * @param blobGrace a blob no version references is deleted once it has been unused this long
   * @param janitorInterval how often the janitor runs
   */
  public record Artifacts(Optional<S3Settings> s3, Duration uploadTimeout, Duration blobGrace,
      Duration janitorInterval) {}

  /**
   * Resolve cache settings.
   *
   * @param ttl the longest an entry is kept, however sure the cache is of it; also how stale an answer may be
   *     while the database is down
   * @param maxEntries per kind (aliases, versions); 0 turns the cache off
   */
  public record Cache(Duration ttl, long maxEntries) {}

  /**
   * Limits on the gRPC port, so that no client, broken or hostile, holds more than its share.
   *
   * @param maxMessageBytes the largest request message, an upload chunk included; larger is RESOURCE_EXHAUSTED
   * @param maxMetadataBytes the largest metadata (header list) of a call; the transport takes up to twice this, so that
   *     a call a little over gets a status it can read
   * @param maxConcurrentStreams calls one connection may have open at once; more wait for one to end
   * @param keepAliveTime how long a connection may be silent before the server pings it
   * @param keepAliveTimeout how long the server waits for the ping's answer before it drops the connection
   * @param connectionIdle a connection with no call for this long is closed (clients reconnect when they need to)
   * @param defaultDeadline the deadline of a unary call that arrives without one
   * @param streamIdle how long a call may wait for its client's next message before it is cut off
   */
  public record Limits(int maxMessageBytes, int maxMetadataBytes, int maxConcurrentStreams, Duration keepAliveTime,
      Duration keepAliveTimeout, Duration connectionIdle, Duration defaultDeadline, Duration streamIdle) {}

  /** An upload chunk is up to 1 MiB, sent with its message framing; a smaller limit would refuse every upload. */
  public static final int MIN_MESSAGE_BYTES = 2 << 20;

  /**
   * Webhook delivery settings.
   *
   * @param senders sender threads on this replica; 0: this replica sends nothing (others on the database do)
   * @param maxAttempts attempts before a delivery is dead
   * @param firstRetry the delay before the second attempt; each later one doubles, up to {@code maxRetry}; half of
   *     each delay is random (jitter)
   * @param timeout how long a receiver has to connect and answer
   * @param poll how often senders look for due deliveries when no commit wakes them
   */
  public record Webhooks(int senders, int maxAttempts, Duration firstRetry, Duration maxRetry, Duration timeout,
      Duration poll) {}

  /**
   * The HTTP port's transport and the web page's sessions.
   *
   * @param tls the HTTP port's certificate chain and key (PEM); by default the gRPC port's; empty: plain HTTP
   * @param insecure plain HTTP beyond loopback, because a proxy in front terminates TLS (GANTRY_HTTP_INSECURE)
   * @param allowedHosts the names the port answers to besides {@code localhost} and IP addresses
   *     ({@code GANTRY_HTTP_ALLOWED_HOSTS}): lower-case host names, and {@code *.domain} for every name under domain
   * @param sessionIdle a web session unused this long has ended
   * @param sessionLifetime a web session has ended this long after sign-in, however much it is used
   * @param maxBodyBytes a request body larger than this is refused (413)
   * @param maxHeaderBytes request headers larger than this are refused (431)
   * @param idleTimeout a connection with nothing to do, or a request body that stops arriving, is dropped after this
   */
  public record Http(Optional<Tls> tls, boolean insecure, List<String> allowedHosts, Duration sessionIdle,
      Duration sessionLifetime, long maxBodyBytes, int maxHeaderBytes, Duration idleTimeout) {}

  /**
   * How long the server waits on the database, so that one that stops answering without closing its connections (a
   * frozen host, a cut network, a failed-over primary) is noticed in seconds rather than the kernel's hours.
   *
   * @param socketTimeout a pool connection silent this long in the middle of a statement (or of logging in) is dropped
   * @param statementTimeout the database cancels a statement (lock waits included) that runs this long; below
   *     {@code socketTimeout}, so that a slow statement ends cleanly before its connection is given up
   * @param ping the change listener, when quiet, asks the database this often, and counts it lost when a question or
   *     a reconnection goes unanswered this long; then the pool's connections are dropped and made anew
   */
  public record Liveness(Duration socketTimeout, Duration statementTimeout, Duration ping) {}

  /** Connection settings of an external PostgreSQL. */
  public record ExternalDatabase(String url, String user, String password) {
    @Override
    public String toString() {
      return "ExternalDatabase[url=" + RedactedUrl.of(url) + ", user=" + user + "]";
    }
  }

  /**
   * @param listenAddress the gRPC port's address: loopback unless callers are verified
   * @param httpAddress the HTTP port's address (health, metrics, MLflow's REST API): loopback unless callers are
   *     verified
   * @param jwt bearer JWT verification
   * @param tls the gRPC port's certificate chain and private key (PEM), if it speaks TLS, and the client CA for mTLS
   * @param apiTokens whether static API tokens (made through the AccessControl API) are accepted
   * @param admins role binding subjects ({@code user:NAME}, {@code group:NAME}, {@code cert:NAME}, …) that are admin
   *     on every model by configuration
   * @param rolesEnforced whether calls are checked against role bindings; on whenever callers are verified
   * @param bootstrapTokenFile where to write a first admin API token, when the file does not exist yet
   */
  public record Identity(InetAddress listenAddress, InetAddress httpAddress, Optional<Jwt> jwt, Optional<Tls> tls, boolean apiTokens,
      List<String> admins, boolean rolesEnforced, Optional<Path> bootstrapTokenFile) {

    /** Whether callers prove who they are; otherwise the {@code x-gantry-user} header is trusted, on loopback. */
    public boolean verified() {
      return jwt.isPresent() || apiTokens || tls.flatMap(Tls::clientCa).isPresent();
    }
  }

  /**
   * @param clientCa the authorities a client certificate must chain to (mTLS); empty: no client certificates
   * @param clientPrincipal which name of a client certificate is a user name ({@code user:NAME})
   */
  public record Tls(Path certificateChain, Path privateKey, Optional<Path> clientCa,
      CertificateUserName clientPrincipal) {}

  /**
   * The field of a client certificate that names a user ({@code GANTRY_TLS_CLIENT_PRINCIPAL}): its first e-mail, URI or
   * DNS subject alternative name, its subject's common name, or none. A certificate without it is {@code cert:NAME}.
   */
  public enum CertificateUserName {
    EMAIL, URI, DNS, CN, NONE;

    public String wireName() {
      return name().toLowerCase();
    }
  }

  /**
   * @param keys a JWKS file, or an https URL serving one
   * @param principalClaim the claim that names the caller
   * @param groupsClaim the claim that lists the caller's groups (a list of names, or one name)
   * @param algorithms the JWS algorithms accepted (asymmetric ones only)
   */
  public record Jwt(String keys, String issuer, String audience, String principalClaim, String groupsClaim,
      Set<String> algorithms) {}

  // Asymmetric signatures only: an HMAC "key" taken from a public JWKS is the classic confusion attack.
  private static final Set<String> ASYMMETRIC = Set.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
      "ES256", "ES384", "ES512");

  /**
   * Reads the configuration.
   *
   * @throws ConfigException naming the variable and what is wrong with it, in one line
   */
  public static ServerConfig fromEnvironment(Map<String, String> env) {
    int port = parsePort("GANTRY_GRPC_PORT", env.get("GANTRY_GRPC_PORT"), DEFAULT_GRPC_PORT);
    int httpPort = parsePort("GANTRY_HTTP_PORT", env.get("GANTRY_HTTP_PORT"), DEFAULT_HTTP_PORT);
    Path dataDir = Path.of(env.getOrDefault("GANTRY_DATA_DIR", DEFAULT_DATA_DIR)).toAbsolutePath();
    Optional<ExternalDatabase> external = Optional.empty();
    String url = env.get("GANTRY_DB_URL");
    if (url != null && !url.isBlank()) {
      if (!url.startsWith("jdbc:postgresql://")) {
        throw new ConfigException(
            "GANTRY_DB_URL must be a PostgreSQL JDBC URL (jdbc:postgresql://host:port/db), got '"
                + RedactedUrl.of(url) + "'");
      }
      external = Optional.of(new ExternalDatabase(
          url, env.getOrDefault("GANTRY_DB_USER", ""), env.getOrDefault("GANTRY_DB_PASSWORD", "")));
    } else if (env.containsKey("GANTRY_DB_USER") || env.containsKey("GANTRY_DB_PASSWORD")) {
      throw new ConfigException("GANTRY_DB_USER/GANTRY_DB_PASSWORD are set but GANTRY_DB_URL is not");
    }
    Audit audit = new Audit(
        env.getOrDefault("GANTRY_AUDIT_ORIGIN", "gantry.local/audit"),
        Path.of(env.getOrDefault("GANTRY_AUDIT_KEY_FILE", dataDir.resolve("audit-signing.key").toString()))
            .toAbsolutePath(),
        Path.of(env.getOrDefault("GANTRY_ATTESTATION_KEY_FILE", dataDir.resolve("attestation-signing.key")
            .toString())).toAbsolutePath(),
        positive(env, "GANTRY_CHECKPOINT_INTERVAL_EVENTS", 1000),
        Duration.ofSeconds(positive(env, "GANTRY_CHECKPOINT_INTERVAL_SECONDS", 60)),
        new Refusals(Duration.ofSeconds(positive(env, "GANTRY_REFUSAL_WINDOW_SECONDS", 60)),
            (int) Math.min(positive(env, "GANTRY_REFUSAL_MAX_KEYS", 1000), 1_000_000),
            (int) Math.min(positive(env, "GANTRY_REFUSAL_QUEUE", 10_000), 1_000_000)));
    if (!ORIGIN.matcher(audit.origin()).matches()) {
      throw new ConfigException("GANTRY_AUDIT_ORIGIN must be a name such as example.com/audit (no spaces or '+'), got '"
          + audit.origin() + "'");
    }
    Optional<Path> policyFile = Optional.ofNullable(env.get("GANTRY_POLICY_FILE"))
        .filter(file -> !file.isBlank())
        .map(file -> Path.of(file).toAbsolutePath());
    policyFile.filter(file -> !Files.isReadable(file)).ifPresent(file -> {
      throw new ConfigException("GANTRY_POLICY_FILE names " + file + ", which cannot be read");
    });
    Promotion promotion = new Promotion(
        Duration.ofSeconds(positive(env, "GANTRY_PROMOTION_TTL_SECONDS", Duration.ofDays(7).toSeconds())), policyFile,
        Duration.ofMillis(positive(env, "GANTRY_POLICY_TIME_LIMIT_MILLIS", 2000)),
        (int) positive(env, "GANTRY_POLICY_EVALUATORS", 8));
    Artifacts artifacts = new Artifacts(s3(env),
        Duration.ofSeconds(positive(env, "GANTRY_UPLOAD_TIMEOUT_SECONDS", Duration.ofDays(1).toSeconds())),
        Duration.ofSeconds(positive(env, "GANTRY_BLOB_GRACE_SECONDS", Duration.ofHours(1).toSeconds())),
        Duration.ofSeconds(positive(env, "GANTRY_JANITOR_INTERVAL_SECONDS", Duration.ofMinutes(5).toSeconds())));
    Cache cache = new Cache(Duration.ofSeconds(positive(env, "GANTRY_CACHE_TTL_SECONDS", 300)),
        atLeastZero(env, "GANTRY_CACHE_MAX_ENTRIES", 10_000));
    long workers = positive(env, "GANTRY_WORKER_THREADS", 32);
    if (workers > 1024) {
      throw new ConfigException("GANTRY_WORKER_THREADS must be at most 1024, got " + workers);
    }
    // Half the cores: the rest are for the workers, the embedded PostgreSQL and the collector. One more event loop
    // than that measured slower and far less steady on 2 cores (docs/BENCHMARKS.md).
    long network = positive(env, "GANTRY_NETWORK_THREADS", Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
    if (network > 1024) {
      throw new ConfigException("GANTRY_NETWORK_THREADS must be at most 1024, got " + network);
    }
    long senders = atLeastZero(env, "GANTRY_WEBHOOK_SENDERS", 2);
    if (senders > 64) {
      throw new ConfigException("GANTRY_WEBHOOK_SENDERS must be at most 64 (each holds a database connection while "
          + "it sends), got " + senders);
    }
    Webhooks webhooks = new Webhooks((int) senders, (int) Math.min(positive(env, "GANTRY_WEBHOOK_MAX_ATTEMPTS", 15),
        1000), Duration.ofMillis(positive(env, "GANTRY_WEBHOOK_FIRST_RETRY_MILLIS", 1000)),
        Duration.ofSeconds(positive(env, "GANTRY_WEBHOOK_MAX_RETRY_SECONDS", 3600)),
        Duration.ofSeconds(positive(env, "GANTRY_WEBHOOK_TIMEOUT_SECONDS", 10)),
        Duration.ofMillis(positive(env, "GANTRY_WEBHOOK_POLL_MILLIS", 1000)));
    Identity identity = identity(env);
    return new ServerConfig(port, httpPort, dataDir, external, audit, promotion, artifacts, cache, (int) workers,
        (int) network, identity, limits(env), webhooks, http(env, identity), liveness(env),
        MlflowTracking.fromEnvironment(env));
  }

  private static Liveness liveness(Map<String, String> env) {
    long socket = positive(env, "GANTRY_DB_SOCKET_TIMEOUT_SECONDS", 30);
    long statement = positive(env, "GANTRY_DB_STATEMENT_TIMEOUT_SECONDS", 20);
    if (statement >= socket) {
      throw new ConfigException("GANTRY_DB_STATEMENT_TIMEOUT_SECONDS must be below GANTRY_DB_SOCKET_TIMEOUT_SECONDS ("
          + socket + "), got " + statement);
    }
    return new Liveness(Duration.ofSeconds(socket), Duration.ofSeconds(statement),
        Duration.ofSeconds(positive(env, "GANTRY_DB_LIVENESS_SECONDS", 2)));
  }

  private static Http http(Map<String, String> env, Identity identity) {
    String cert = env.getOrDefault("GANTRY_HTTP_TLS_CERT", "").trim();
    String key = env.getOrDefault("GANTRY_HTTP_TLS_KEY", "").trim();
    if (cert.isEmpty() != key.isEmpty()) {
      throw new ConfigException("GANTRY_HTTP_TLS_CERT and GANTRY_HTTP_TLS_KEY go together: set both or neither");
    }
    Optional<Tls> tls = cert.isEmpty()
        ? identity.tls().map(grpc -> new Tls(grpc.certificateChain(), grpc.privateKey(), Optional.empty(),
            CertificateUserName.NONE))
        : Optional.of(new Tls(readable("GANTRY_HTTP_TLS_CERT", cert), readable("GANTRY_HTTP_TLS_KEY", key),
            Optional.empty(), CertificateUserName.NONE));
    boolean insecure = flag(env, "GANTRY_HTTP_INSECURE", false);
    if (tls.isEmpty() && !insecure && !identity.httpAddress().isLoopbackAddress()) {
      throw new ConfigException("GANTRY_HTTP_HOST is " + identity.httpAddress().getHostAddress() + ", beyond "
          + "loopback, where bearer tokens and web session cookies would cross the network in clear: set "
          + "GANTRY_HTTP_TLS_CERT and GANTRY_HTTP_TLS_KEY (or GANTRY_TLS_CERT and GANTRY_TLS_KEY, which the HTTP port "
          + "then uses too), or GANTRY_HTTP_INSECURE=true when a proxy in front terminates TLS");
    }
    long maxHeader = positive(env, "GANTRY_HTTP_MAX_HEADER_BYTES", 16 << 10);
    if (maxHeader < 1024 || maxHeader > (1 << 20)) {
      throw new ConfigException("GANTRY_HTTP_MAX_HEADER_BYTES must be from 1024 to 1048576, got " + maxHeader);
    }
    return new Http(tls, insecure, allowedHosts(env),
        Duration.ofSeconds(positive(env, "GANTRY_WEB_SESSION_IDLE_SECONDS", Duration.ofHours(1).toSeconds())),
        Duration.ofSeconds(positive(env, "GANTRY_WEB_SESSION_LIFETIME_SECONDS", Duration.ofHours(12).toSeconds())),
        positive(env, "GANTRY_HTTP_MAX_BODY_BYTES", 1 << 20), (int) maxHeader,
        Duration.ofSeconds(positive(env, "GANTRY_HTTP_IDLE_TIMEOUT_SECONDS", 30)));
  }

  private static Path readable(String name, String file) {
    if (!Files.isReadable(Path.of(file))) {
      throw new ConfigException(name + " names " + file + ", which cannot be read");
    }
    return Path.of(file).toAbsolutePath();
  }

  private static List<String> allowedHosts(Map<String, String> env) {
    List<String> hosts = new ArrayList<>();
    for (String entry : env.getOrDefault("GANTRY_HTTP_ALLOWED_HOSTS", "").split(",")) {
      String host = entry.trim().toLowerCase(Locale.ROOT);
      if (host.isEmpty()) {
        continue;
      }
      if (!ALLOWED_HOST.matcher(host).matches()) {
        throw new ConfigException("GANTRY_HTTP_ALLOWED_HOSTS lists '" + entry.trim() + "': each entry is a host name "
            + "or *.domain for every name under domain, without scheme, port or path (IP addresses are always "
            + "answered)");
      }
      hosts.add(host);
    }
    return List.copyOf(hosts);
  }

  private static Limits limits(Map<String, String> env) {
    long message = positive(env, "GANTRY_MAX_MESSAGE_BYTES", 16 << 20);
    if (message < MIN_MESSAGE_BYTES || message > Integer.MAX_VALUE) {
      throw new ConfigException("GANTRY_MAX_MESSAGE_BYTES must be from " + MIN_MESSAGE_BYTES + " (uploads send 1 MiB "
          + "chunks) to " + Integer.MAX_VALUE + ", got " + message);
    }
    long metadata = positive(env, "GANTRY_MAX_METADATA_BYTES", 8 << 10);
    if (metadata < 1024 || metadata > (1 << 20)) {
      throw new ConfigException("GANTRY_MAX_METADATA_BYTES must be from 1024 to 1048576, got " + metadata);
    }
    long streams = positive(env, "GANTRY_MAX_CONCURRENT_STREAMS", 1000);
    if (streams > Integer.MAX_VALUE) {
      throw new ConfigException("GANTRY_MAX_CONCURRENT_STREAMS must be at most " + Integer.MAX_VALUE + ", got "
          + streams);
    }
    return new Limits((int) message, (int) metadata, (int) streams,
        Duration.ofSeconds(positive(env, "GANTRY_KEEPALIVE_TIME_SECONDS", 60)),
        Duration.ofSeconds(positive(env, "GANTRY_KEEPALIVE_TIMEOUT_SECONDS", 20)),
        Duration.ofSeconds(positive(env, "GANTRY_CONNECTION_IDLE_SECONDS", Duration.ofMinutes(15).toSeconds())),
        Duration.ofSeconds(positive(env, "GANTRY_DEFAULT_DEADLINE_SECONDS", Duration.ofMinutes(5).toSeconds())),
        Duration.ofSeconds(positive(env, "GANTRY_STREAM_IDLE_SECONDS", 60)));
  }

  private static Identity identity(Map<String, String> env) {
    String host = env.getOrDefault("GANTRY_GRPC_HOST", "").trim();
    InetAddress address = address("GANTRY_GRPC_HOST", host);
    String httpHost = env.getOrDefault("GANTRY_HTTP_HOST", "").trim();
    InetAddress httpAddress = address("GANTRY_HTTP_HOST", httpHost);
    Optional<Jwt> jwt = jwt(env);
    boolean apiTokens = flag(env, "GANTRY_API_TOKENS", false);
    Optional<Tls> tls = tls(env);
    List<String> admins = new ArrayList<>();
    for (String subject : env.getOrDefault("GANTRY_ADMINS", "").split(",")) {
      if (!subject.isBlank()) {
        admins.add(subject(subject.trim()));
      }
    }
    Optional<Path> bootstrap = Optional.ofNullable(env.get("GANTRY_BOOTSTRAP_TOKEN_FILE"))
        .filter(file -> !file.isBlank()).map(file -> Path.of(file.trim()).toAbsolutePath());
    if (bootstrap.isPresent() && !apiTokens) {
      throw new ConfigException("GANTRY_BOOTSTRAP_TOKEN_FILE writes an API token: set GANTRY_API_TOKENS=true too");
    }
    boolean verified = jwt.isPresent() || apiTokens || tls.flatMap(Tls::clientCa).isPresent();
    if (!verified && !address.isLoopbackAddress()) {
      throw new ConfigException("GANTRY_GRPC_HOST is " + host + ", beyond loopback, where the x-gantry-user header "
          + "cannot be trusted: verify callers with GANTRY_JWT_KEYS (and GANTRY_JWT_ISSUER, GANTRY_JWT_AUDIENCE), "
          + "GANTRY_API_TOKENS=true or GANTRY_TLS_CLIENT_CA");
    }
    if (!verified && !httpAddress.isLoopbackAddress()) {
      throw new ConfigException("GANTRY_HTTP_HOST is " + httpHost + ", beyond loopback, where MLflow's REST API would "
          + "trust any caller's name: verify callers with GANTRY_JWT_KEYS or GANTRY_API_TOKENS=true first");
    }
    boolean rolesEnforced = flag(env, "GANTRY_ENFORCE_ROLES", verified);
    if (verified && !rolesEnforced) {
      throw new ConfigException("GANTRY_ENFORCE_ROLES=false: verified callers are always checked against their roles");
    }
    return new Identity(address, httpAddress, jwt, tls, apiTokens, List.copyOf(admins), rolesEnforced, bootstrap);
  }

  private static InetAddress address(String name, String host) {
    try {
      return host.isEmpty() ? InetAddress.getLoopbackAddress() : InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new ConfigException(name + " must be an address or a host name this machine resolves, got '" + host
          + "'");
    }
  }

  /** A role binding's subject ({@link RoleBinding#SUBJECT}); a bare name is a user. */
  private static String subject(String subject) {
    String qualified = subject.contains(":") ? subject : RoleBinding.USER + subject;
    if (!RoleBinding.SUBJECT.matcher(qualified).matches()) {
      throw new ConfigException("GANTRY_ADMINS must list " + RoleBinding.SUBJECT_RULE + " entries, got '" + subject
          + "'");
    }
    return qualified;
  }

  private static Optional<Jwt> jwt(Map<String, String> env) {
    String keys = env.getOrDefault("GANTRY_JWT_KEYS", "").trim();
    if (keys.isEmpty()) {
      for (String name : List.of("GANTRY_JWT_ISSUER", "GANTRY_JWT_AUDIENCE", "GANTRY_JWT_PRINCIPAL_CLAIM",
          "GANTRY_JWT_GROUPS_CLAIM", "GANTRY_JWT_ALGORITHMS")) {
        if (env.containsKey(name)) {
          throw new ConfigException(name + " is set but GANTRY_JWT_KEYS is not");
        }
      }
      return Optional.empty();
    }
    if (!keys.startsWith("https://") && !Files.isReadable(Path.of(keys))) {
      throw new ConfigException("GANTRY_JWT_KEYS must be a readable JWKS file or an https:// URL, got '" + keys + "'");
    }
    String issuer = required(env, "GANTRY_JWT_ISSUER", "GANTRY_JWT_KEYS");
    String audience = required(env, "GANTRY_JWT_AUDIENCE", "GANTRY_JWT_KEYS");
    String claim = env.getOrDefault("GANTRY_JWT_PRINCIPAL_CLAIM", "sub").trim();
    String groupsClaim = env.getOrDefault("GANTRY_JWT_GROUPS_CLAIM", "groups").trim();
    Set<String> algorithms = new TreeSet<>();
    for (String algorithm : env.getOrDefault("GANTRY_JWT_ALGORITHMS", "RS256,ES256").split(",")) {
      if (!ASYMMETRIC.contains(algorithm.trim())) {
        throw new ConfigException("GANTRY_JWT_ALGORITHMS may name only " + new TreeSet<>(ASYMMETRIC) + ", got '"
            + algorithm.trim() + "'");
      }
      algorithms.add(algorithm.trim());
    }
    return Optional.of(new Jwt(keys, issuer, audience, claim.isEmpty() ? "sub" : claim,
        groupsClaim.isEmpty() ? "groups" : groupsClaim, Set.copyOf(algorithms)));
  }

  private static boolean flag(Map<String, String> env, String name, boolean defaultValue) {
    String value = env.getOrDefault(name, "").trim();
    if (value.isEmpty()) {
      return defaultValue;
    }
    if (!value.equals("true") && !value.equals("false")) {
      throw new ConfigException(name + " must be true or false, got '" + value + "'");
    }
    return value.equals("true");
  }

  private static Optional<Tls> tls(Map<String, String> env) {
    String cert = env.getOrDefault("GANTRY_TLS_CERT", "").trim();
    String key = env.getOrDefault("GANTRY_TLS_KEY", "").trim();
    String clientCa = env.getOrDefault("GANTRY_TLS_CLIENT_CA", "").trim();
    String clientPrincipal = env.getOrDefault("GANTRY_TLS_CLIENT_PRINCIPAL", "").trim();
    if (!clientPrincipal.isEmpty() && clientCa.isEmpty()) {
      throw new ConfigException("GANTRY_TLS_CLIENT_PRINCIPAL is set but GANTRY_TLS_CLIENT_CA is not");
    }
    CertificateUserName userName = Arrays.stream(CertificateUserName.values())
        .filter(value -> value.wireName().equals(clientPrincipal.isEmpty() ? "email" : clientPrincipal)).findFirst()
        .orElseThrow(() -> new ConfigException("GANTRY_TLS_CLIENT_PRINCIPAL must be email, uri, dns, cn or none, got '"
            + clientPrincipal + "'"));
    if (cert.isEmpty() && key.isEmpty()) {
      if (!clientCa.isEmpty()) {
        throw new ConfigException("GANTRY_TLS_CLIENT_CA needs TLS: set GANTRY_TLS_CERT and GANTRY_TLS_KEY too");
      }
      return Optional.empty();
    }
    if (cert.isEmpty() || key.isEmpty()) {
      throw new ConfigException("GANTRY_TLS_CERT and GANTRY_TLS_KEY go together: set both or neither");
    }
    Map<String, String> files = new LinkedHashMap<>();
    files.put("GANTRY_TLS_CERT", cert);
    files.put("GANTRY_TLS_KEY", key);
    if (!clientCa.isEmpty()) {
      files.put("GANTRY_TLS_CLIENT_CA", clientCa);
    }
    files.forEach(ServerConfig::readable);
    return Optional.of(new Tls(Path.of(cert).toAbsolutePath(), Path.of(key).toAbsolutePath(),
        clientCa.isEmpty() ? Optional.empty() : Optional.of(Path.of(clientCa).toAbsolutePath()), userName));
  }

  private static String required(Map<String, String> env, String name, String because) {
    String value = env.getOrDefault(name, "").trim();
    if (value.isEmpty()) {
      throw new ConfigException(name + " must be set with " + because);
    }
    return value;
  }

  private static Optional<S3Settings> s3(Map<String, String> env) {
    String endpoint = env.getOrDefault("GANTRY_S3_ENDPOINT", "").trim();
    if (endpoint.isEmpty()) {
      for (String name : List.of("GANTRY_S3_BUCKET", "GANTRY_S3_ACCESS_KEY", "GANTRY_S3_SECRET_KEY")) {
        if (!env.getOrDefault(name, "").isBlank()) {
          throw new ConfigException(name + " is set but GANTRY_S3_ENDPOINT is not");
        }
      }
      return Optional.empty();
    }
    if (!endpoint.startsWith("http://") && !endpoint.startsWith("https://")) {
      throw new ConfigException("GANTRY_S3_ENDPOINT must be an http:// or https:// URL, got '" + endpoint + "'");
    }
    for (String name : List.of("GANTRY_S3_BUCKET", "GANTRY_S3_ACCESS_KEY", "GANTRY_S3_SECRET_KEY")) {
      if (env.getOrDefault(name, "").isBlank()) {
        throw new ConfigException(name + " is required with GANTRY_S3_ENDPOINT");
      }
    }
    return Optional.of(new S3Settings(endpoint, env.get("GANTRY_S3_BUCKET").trim(), env.get("GANTRY_S3_ACCESS_KEY"),
        env.get("GANTRY_S3_SECRET_KEY"), env.getOrDefault("GANTRY_S3_REGION", "").trim()));
  }

  private static long atLeastZero(Map<String, String> env, String name, long defaultValue) {
    return wholeNumber(env, name, defaultValue, 0, "a whole number, 0 or more");
  }

  static long positive(Map<String, String> env, String name, long defaultValue) {
    return wholeNumber(env, name, defaultValue, 1, "a positive whole number");
  }

  private static long wholeNumber(Map<String, String> env, String name, long defaultValue, long least,
      String expected) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return defaultValue;
    }
    try {
      long parsed = Long.parseLong(value.trim());
      if (parsed >= least) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new ConfigException(name + " must be " + expected + ", got '" + value + "'");
  }

  private static int parsePort(String name, String value, int defaultPort) {
    if (value == null || value.isBlank()) {
      return defaultPort;
    }
    try {
      int port = Integer.parseInt(value.trim());
      if (port >= 0 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new ConfigException(name + " must be a port number from 0 to 65535, got '" + value + "'");
  }
}
