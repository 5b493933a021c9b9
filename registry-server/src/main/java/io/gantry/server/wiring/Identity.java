package io.gantry.server.wiring;

import io.gantry.server.access.AccessService;
import io.gantry.server.access.AuthorizationInterceptor;
import io.gantry.server.access.ReadableModels;
import io.gantry.server.access.Role;
import io.gantry.server.access.RoleBinding;
import io.gantry.server.access.Scope;
import io.gantry.server.auth.ApiTokenAuthenticator;
import io.gantry.server.auth.Caller;
import io.gantry.server.auth.HeaderIdentityInterceptor;
import io.gantry.server.auth.JwtAuthenticator;
import io.gantry.server.auth.VerifiedIdentityInterceptor;
import io.gantry.server.auth.WebSessionInterceptor;
import io.gantry.server.common.SecretFiles;
import io.gantry.server.config.ConfigException;
import io.gantry.server.config.ServerConfig;
import io.gantry.server.session.WebSessions;
import io.grpc.ServerInterceptor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Who a caller is and what they may read or do, as the checks every call passes (in order: identity, then
 * authorization), and the web page's sessions those checks honour. Also makes the first admin's API token when
 * GANTRY_BOOTSTRAP_TOKEN_FILE asks for one.
 */
public record Identity(List<ServerInterceptor> checks, WebSessions webSessions) {

  /** The principal of the token GANTRY_BOOTSTRAP_TOKEN_FILE receives. */
  static final String BOOTSTRAP_ADMIN = "bootstrap-admin";
  private static final String BOOTSTRAP_ACTOR = "system:bootstrap";

  public static Identity build(ServerConfig config, Persistence persistence, Access access, Promotions promotions) {
    config.identity().bootstrapTokenFile().ifPresent(file -> writeBootstrapToken(access.service(), file));
    List<ServerInterceptor> checks = new ArrayList<>();
    Optional<ApiTokenAuthenticator> apiTokens = config.identity().apiTokens()
        ? Optional.of(new ApiTokenAuthenticator(access.service())) : Optional.empty();
    // Without verified credentials the identity header is trusted as is: the config keeps that on loopback.
    ServerInterceptor identity = config.identity().verified()
        ? new VerifiedIdentityInterceptor(config.identity().jwt().map(JwtAuthenticator::new), apiTokens,
            config.identity().tls().filter(tls -> tls.clientCa().isPresent())
                .map(ServerConfig.Tls::clientPrincipal), access.refusals())
        : new HeaderIdentityInterceptor();
    // the web page's calls run as their session's caller; every other call is identified as before
    var dsl = persistence.database().dsl();
    var webSessions = new WebSessions(dsl, Clock.systemUTC(), config.http().sessionIdle(),
        config.http().sessionLifetime());
    checks.add(new WebSessionInterceptor(webSessions, webSessionMethods(config), apiTokens, access.refusals(),
        identity));
    if (config.identity().rolesEnforced()) {
      checks.add(new AuthorizationInterceptor(access.service(), id -> promotions.repository().target(dsl, id)
          .map(target -> Scope.alias(target.getKey(), target.getValue())), access.refusals()));
    } else {
      checks.add(ReadableModels.everyModelForEveryone());
    }
    return new Identity(checks, webSessions);
  }

  /** Says, once serving, how callers are known: the one thing an operator must not get wrong. */
  public static void announce(ServerConfig config, InetSocketAddress address) {
    if (config.identity().verified()) {
      ServerLog.LOG.info("Callers are verified ({}); roles are enforced; listening on {}", verifiers(config),
          address);
      if (config.identity().admins().isEmpty()) {
        ServerLog.LOG.warn("GANTRY_ADMINS is empty: only role bindings already stored give anyone the admin role");
      }
    } else {
      ServerLog.LOG.warn("Identity comes from the unauthenticated '{}' header; listening on {} (loopback only)",
          HeaderIdentityInterceptor.HEADER, address);
    }
  }

  /** How a web session's caller must have been proven for this server to honour it: as it accepts callers itself. */
  private static Set<Caller.Method> webSessionMethods(ServerConfig config) {
    if (!config.identity().verified()) {
      return Set.of(Caller.Method.HEADER);
    }
    Set<Caller.Method> methods = EnumSet.noneOf(Caller.Method.class);
    config.identity().jwt().ifPresent(jwt -> methods.add(Caller.Method.JWT));
    if (config.identity().apiTokens()) {
      methods.add(Caller.Method.API_TOKEN);
    }
    return methods;
  }

  private static String verifiers(ServerConfig config) {
    List<String> verifiers = new ArrayList<>();
    config.identity().jwt().ifPresent(jwt -> verifiers.add("JWTs from " + jwt.issuer() + " for " + jwt.audience()));
    if (config.identity().apiTokens()) {
      verifiers.add("API tokens");
    }
    config.identity().tls().flatMap(ServerConfig.Tls::clientCa)
        .ifPresent(ca -> verifiers.add("client certificates from " + ca));
    return String.join(", ", verifiers);
  }

  /**
   * Makes a first admin's API token and writes it to {@code file} (owner-only), unless the file exists: how a server
   * that accepts only API tokens gets its first admin. The token's principal is {@value #BOOTSTRAP_ADMIN}.
   */
  private static void writeBootstrapToken(AccessService access, Path file) {
    if (Files.exists(file)) {
      return;
    }
    // the file first, owner-only: a token is made only once there is a private place to put it
    try {
      SecretFiles.create(file);
    } catch (IOException e) {
      throw new ConfigException("GANTRY_BOOTSTRAP_TOKEN_FILE " + file + " cannot be written: " + e.getMessage(), e);
    }
    var token = access.createToken(BOOTSTRAP_ADMIN, "first admin, written to " + file, Optional.empty(),
        BOOTSTRAP_ACTOR);
    // token:, not user:: no JWT subject or certificate name can be this admin
    if (access.bindings(RoleBinding.TOKEN + BOOTSTRAP_ADMIN).stream().noneMatch(b -> b.role() == Role.ADMIN
        && b.modelPattern().equals(RoleBinding.EVERY_MODEL))) {
      access.grant(RoleBinding.TOKEN + BOOTSTRAP_ADMIN, Role.ADMIN, RoleBinding.EVERY_MODEL, List.of(),
          BOOTSTRAP_ACTOR);
    }
    try {
      Files.writeString(file, token.secret() + "\n");
    } catch (IOException e) {
      throw new ConfigException("GANTRY_BOOTSTRAP_TOKEN_FILE " + file + " cannot be written: " + e.getMessage()
          + "; revoke " + token.token().name(), e);
    }
    ServerLog.LOG.info("Wrote an admin API token for '{}' to {} ({})", BOOTSTRAP_ADMIN, file,
        token.token().name());
  }
}
