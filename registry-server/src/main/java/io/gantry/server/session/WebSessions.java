package io.gantry.server.session;

import io.gantry.db.tables.records.WebSessionRecord;
import io.gantry.server.common.Digests;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jooq.DSLContext;

/**
 * Signed-in browsers, kept in PostgreSQL so that every replica knows them. A session ends at the first of: Sign out,
 * {@code lifetime} after it began, {@code idle} after it was last used, and the end of the credential it was begun
 * with (a JWT's {@code exp}). Ended sessions are deleted when next presented, and by {@link #sweep()}.
 */
public final class WebSessions {

  /**
   * Who a session's calls run as: what the credential signed in with proved.
   *
   * @param authenticatedBy how the credential was proven ({@code header}, {@code jwt}, {@code api-token})
   * @param apiToken the API token signed in with, whose revocation ends the session
   */
  public record Session(String principal, Set<String> groups, String authenticatedBy, Optional<UUID> apiToken) {}

  /** 32 random bytes, base64url without padding: what the cookie holds. */
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{43}");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final DSLContext dsl;
  private final WebSessionRepository repository = new WebSessionRepository();
  private final Clock clock;
  private final Duration idle;
  private final Duration lifetime;

  public WebSessions(DSLContext dsl, Clock clock, Duration idle, Duration lifetime) {
    this.dsl = dsl;
    this.clock = clock;
    this.idle = idle;
    this.lifetime = lifetime;
  }

  /** Whether {@code id} has the form of a session id (it may still name no session). */
  public static boolean wellFormed(String id) {
    return ID.matcher(id).matches();
  }

  /**
   * Begins a session.
   *
   * @param credentialExpires when the credential signed in with stops being accepted, if it says
   * @return the session id, for the browser's cookie only: it is stored nowhere
   */
  public String begin(Session session, Optional<Instant> credentialExpires) {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    Instant now = clock.instant();
    Instant expires = Stream.concat(Stream.of(now.plus(lifetime)), credentialExpires.stream())
        .min(Comparator.naturalOrder()).orElseThrow();
    repository.insert(dsl, digest(id), session, now, expires);
    return id;
  }

  /** The live session {@code id} names, now marked used; empty (and the row deleted) once it has ended. */
  public Optional<Session> resume(String id) {
    if (!wellFormed(id)) {
      return Optional.empty();
    }
    Instant now = clock.instant();
    String digest = digest(id);
    Optional<WebSessionRecord> live = repository.touch(dsl, digest, now, now.minus(idle));
    if (live.isEmpty()) {
      repository.delete(dsl, digest);
    }
    return live.map(row -> new Session(row.getPrincipal(), Set.copyOf(List.of(row.getGroups())),
        row.getAuthenticatedBy(), Optional.ofNullable(row.getApiToken())));
  }

  /** Ends the session {@code id} names, on every replica at once. */
  public void end(String id) {
    if (wellFormed(id)) {
      repository.delete(dsl, digest(id));
    }
  }

  /** Deletes every ended session that nobody presented again; how many. */
  public int sweep() {
    Instant now = clock.instant();
    return repository.deleteEnded(dsl, now, now.minus(idle));
  }

  /** How often {@link #sweep()} is worth running: a session lives at most this long unused. */
  public Duration sweepInterval() {
    return idle.compareTo(lifetime) < 0 ? idle : lifetime;
  }

  private static String digest(String id) {
    return HexFormat.of().formatHex(Digests.sha256(id.getBytes(StandardCharsets.US_ASCII)));
  }
}
