package io.gantry.server.access;

import static io.gantry.db.Tables.ACCESS_VERSION;
import static io.gantry.db.Tables.API_TOKEN;
import static io.gantry.db.Tables.ROLE_BINDING;

import io.gantry.db.tables.records.ApiTokenRecord;
import io.gantry.db.tables.records.RoleBindingRecord;
import io.gantry.server.auth.ApiTokenAuthenticator;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;

/** Role bindings and API tokens in PostgreSQL. Every method runs in the context it is given. */
public final class AccessRepository {

  /** The version of who may do what: raised by every change to role bindings and API tokens. */
  public long version(DSLContext ctx) {
    return ctx.select(ACCESS_VERSION.VERSION).from(ACCESS_VERSION).fetchSingle(ACCESS_VERSION.VERSION);
  }

  /**
   * Raises the version in the writing transaction and returns it; the row stays locked until the transaction ends,
   * so access changes commit in the order of their versions.
   */
  public long advanceVersion(DSLContext tx) {
    return tx.update(ACCESS_VERSION).set(ACCESS_VERSION.VERSION, ACCESS_VERSION.VERSION.plus(1))
        .returning(ACCESS_VERSION.VERSION).fetchSingle(ACCESS_VERSION.VERSION);
  }

  public List<RoleBinding> bindings(DSLContext ctx) {
    return ctx.selectFrom(ROLE_BINDING).orderBy(ROLE_BINDING.ID).fetch(AccessRepository::toBinding);
  }

  public Optional<RoleBinding> binding(DSLContext ctx, long id) {
    return ctx.selectFrom(ROLE_BINDING).where(ROLE_BINDING.ID.eq(id)).fetchOptional(AccessRepository::toBinding);
  }

  /** Inserts the binding; empty when the subject already has the role on the pattern. */
  public Optional<RoleBinding> insert(DSLContext tx, String subject, Role role, String modelPattern,
      List<String> aliases, String actor) {
    return tx.insertInto(ROLE_BINDING)
        .set(ROLE_BINDING.SUBJECT, subject)
        .set(ROLE_BINDING.ROLE, role.wireName())
        .set(ROLE_BINDING.MODEL_PATTERN, modelPattern)
        .set(ROLE_BINDING.ALIASES, String.join(",", aliases))
        .set(ROLE_BINDING.CREATED_BY, actor)
        .onConflictDoNothing()
        .returning()
        .fetchOptional(AccessRepository::toBinding);
  }

  public boolean delete(DSLContext tx, long id) {
    return tx.deleteFrom(ROLE_BINDING).where(ROLE_BINDING.ID.eq(id)).execute() == 1;
  }

  public List<ApiToken> tokens(DSLContext ctx) {
    return ctx.selectFrom(API_TOKEN).orderBy(API_TOKEN.CREATE_TIME, API_TOKEN.ID).fetch(AccessRepository::toToken);
  }

  /** Every token with its digest, for the authenticator. */
  public List<ApiTokenAuthenticator.Stored> storedTokens(DSLContext ctx) {
    return ctx.selectFrom(API_TOKEN).fetch(row -> new ApiTokenAuthenticator.Stored(row.getId(), row.getPrincipal(),
        row.getSecretSha256(), Optional.ofNullable(row.getExpireTime()).map(OffsetDateTime::toInstant),
        row.getRevokeTime() != null));
  }

  public ApiToken insertToken(DSLContext tx, UUID id, String principal, String description, byte[] sha256,
      Optional<Instant> expireTime, String actor) {
    return tx.insertInto(API_TOKEN)
        .set(API_TOKEN.ID, id)
        .set(API_TOKEN.PRINCIPAL, principal)
        .set(API_TOKEN.DESCRIPTION, description)
        .set(API_TOKEN.SECRET_SHA256, sha256)
        .set(API_TOKEN.EXPIRE_TIME, expireTime.map(t -> t.atOffset(ZoneOffset.UTC)).orElse(null))
        .set(API_TOKEN.CREATED_BY, actor)
        .returning()
        .fetchSingle(AccessRepository::toToken);
  }

  /** Locks the token's row until the transaction ends. */
  public Optional<ApiToken> lockToken(DSLContext tx, UUID id) {
    return tx.selectFrom(API_TOKEN).where(API_TOKEN.ID.eq(id)).forUpdate().fetchOptional(AccessRepository::toToken);
  }

  public ApiToken revoke(DSLContext tx, UUID id, String actor) {
    return tx.update(API_TOKEN)
        .set(API_TOKEN.REVOKE_TIME, OffsetDateTime.now(ZoneOffset.UTC))
        .set(API_TOKEN.REVOKED_BY, actor)
        .where(API_TOKEN.ID.eq(id))
        .returning()
        .fetchSingle(AccessRepository::toToken);
  }

  /** Records uses; not audited (the calls made with the token are). */
  public void markUsed(DSLContext ctx, UUID id, Instant at) {
    ctx.update(API_TOKEN)
        .set(API_TOKEN.LAST_USE_TIME, at.atOffset(ZoneOffset.UTC))
        .where(API_TOKEN.ID.eq(id))
        .execute();
  }

  private static RoleBinding toBinding(RoleBindingRecord row) {
    List<String> aliases = row.getAliases().isEmpty() ? List.of() : Arrays.asList(row.getAliases().split(","));
    return new RoleBinding(row.getId(), row.getSubject(), Role.valueOf(row.getRole().toUpperCase()),
        row.getModelPattern(), aliases, row.getCreateTime().toInstant(), row.getCreatedBy(), false);
  }

  private static ApiToken toToken(ApiTokenRecord row) {
    return new ApiToken(row.getId(), row.getPrincipal(), row.getDescription(),
        Optional.ofNullable(row.getExpireTime()).map(OffsetDateTime::toInstant), row.getCreateTime().toInstant(),
        row.getCreatedBy(), Optional.ofNullable(row.getRevokeTime()).map(OffsetDateTime::toInstant),
        Optional.ofNullable(row.getRevokedBy()), Optional.ofNullable(row.getLastUseTime())
        .map(OffsetDateTime::toInstant));
  }
}
