package io.gantry.server.session;

import static io.gantry.db.Tables.WEB_SESSION;

import io.gantry.db.tables.records.WebSessionRecord;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import org.jooq.DSLContext;

/** Web sessions in PostgreSQL, by the SHA-256 of their id. Every method runs in the context it is given. */
final class WebSessionRepository {

  void insert(DSLContext ctx, String idSha256, WebSessions.Session session, Instant now, Instant expires) {
    ctx.insertInto(WEB_SESSION)
        .set(WEB_SESSION.ID_SHA256, idSha256)
        .set(WEB_SESSION.PRINCIPAL, session.principal())
        .set(WEB_SESSION.GROUPS, session.groups().toArray(String[]::new))
        .set(WEB_SESSION.AUTHENTICATED_BY, session.authenticatedBy())
        .set(WEB_SESSION.API_TOKEN, session.apiToken().orElse(null))
        .set(WEB_SESSION.CREATE_TIME, utc(now))
        .set(WEB_SESSION.LAST_USE_TIME, utc(now))
        .set(WEB_SESSION.EXPIRE_TIME, utc(expires))
        .execute();
  }

  /** The session, once more in use at {@code now}, if it was neither past its end nor idle since {@code idleSince}. */
  Optional<WebSessionRecord> touch(DSLContext ctx, String idSha256, Instant now, Instant idleSince) {
    return ctx.update(WEB_SESSION)
        .set(WEB_SESSION.LAST_USE_TIME, utc(now))
        .where(WEB_SESSION.ID_SHA256.eq(idSha256))
        .and(WEB_SESSION.EXPIRE_TIME.gt(utc(now)))
        .and(WEB_SESSION.LAST_USE_TIME.gt(utc(idleSince)))
        .returning()
        .fetchOptional();
  }

  int delete(DSLContext ctx, String idSha256) {
    return ctx.deleteFrom(WEB_SESSION).where(WEB_SESSION.ID_SHA256.eq(idSha256)).execute();
  }

  /** Deletes every session past its end at {@code now} or idle since {@code idleSince}; how many there were. */
  int deleteEnded(DSLContext ctx, Instant now, Instant idleSince) {
    return ctx.deleteFrom(WEB_SESSION)
        .where(WEB_SESSION.EXPIRE_TIME.le(utc(now)).or(WEB_SESSION.LAST_USE_TIME.le(utc(idleSince))))
        .execute();
  }

  private static OffsetDateTime utc(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
