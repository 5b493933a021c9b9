package io.gantry.server.promotion;

import static io.gantry.db.Tables.PROMOTION;
import static io.gantry.db.Tables.PROMOTION_DECISION;
import static io.gantry.db.Tables.REGISTERED_MODEL;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import io.gantry.db.tables.records.PromotionDecisionRecord;
import io.gantry.db.tables.records.PromotionRecord;
import io.gantry.policy.Outcome;
import io.gantry.policy.Verdict;
import io.gantry.server.common.CanonicalJson;
import io.gantry.server.query.FilterSchema;
import io.gantry.server.query.ListQuery;
import io.gantry.server.query.SortKey;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.JSON;
import org.jooq.Record;
import org.jooq.SelectJoinStep;
import org.jooq.impl.DSL;

/** Promotions and their decisions in PostgreSQL. Every method runs in the context it is given. */
public final class PromotionRepository {

  static final FilterSchema FILTER = new FilterSchema()
      .enumeration("state", PROMOTION.STATE,
          Arrays.stream(Promotion.State.values()).map(Enum::name).collect(Collectors.toSet()))
      .enumeration("kind", PROMOTION.KIND,
          Arrays.stream(Promotion.Kind.values()).map(Enum::name).collect(Collectors.toSet()))
      .string("model", REGISTERED_MODEL.NAME)
      .string("alias", PROMOTION.ALIAS)
      .number("version", PROMOTION.VERSION)
      .string("requester", PROMOTION.REQUESTER)
      .timestamp("create_time", PROMOTION.CREATE_TIME)
      .timestamp("update_time", PROMOTION.UPDATE_TIME);

  static final Map<String, SortKey<?>> SORT_KEYS = SortKey.byName(
      SortKey.time("create_time", PROMOTION.CREATE_TIME),
      SortKey.time("update_time", PROMOTION.UPDATE_TIME));

  private static final TypeReference<List<Map<String, Object>>> VERDICTS = new TypeReference<>() {};

  /** Stores a new promotion; its state is settled by {@link #settle} in the same transaction. */
  public void insert(DSLContext tx, Promotion promotion) {
    long model = tx.select(REGISTERED_MODEL.ID).from(REGISTERED_MODEL)
        .where(REGISTERED_MODEL.NAME.eq(promotion.modelId()))
        .fetchSingle(REGISTERED_MODEL.ID);
    tx.insertInto(PROMOTION)
        .set(PROMOTION.ID, promotion.id())
        .set(PROMOTION.MODEL_ID, model)
        .set(PROMOTION.ALIAS, promotion.alias())
        .set(PROMOTION.VERSION, promotion.version().orElse(null))
        .set(PROMOTION.KIND, promotion.kind().name())
        .set(PROMOTION.STATE, promotion.state().name())
        .set(PROMOTION.STATE_REASON, promotion.stateReason())
        .set(PROMOTION.REQUESTER, promotion.requester())
        .set(PROMOTION.JUSTIFICATION, promotion.justification())
        .set(PROMOTION.EXPECTED_CURRENT_VERSION, promotion.expectedCurrentVersion().orElse(null))
        .set(PROMOTION.ARCHIVE_PREVIOUS, promotion.archivePrevious())
        .set(PROMOTION.CURRENT_VERSION, promotion.currentVersion().orElse(null))
        .set(PROMOTION.ALIAS_REVISION, promotion.aliasRevision())
        .set(PROMOTION.VERDICTS, verdictsJson(promotion.verdicts()))
        .set(PROMOTION.POLICY_SET_DIGEST, promotion.policySetDigest())
        .set(PROMOTION.CONTENT_DIGEST, promotion.contentDigest())
        .set(PROMOTION.CREATE_TIME, promotion.createTime())
        .set(PROMOTION.UPDATE_TIME, promotion.updateTime())
        .set(PROMOTION.EXPIRE_TIME, promotion.expireTime())
        .execute();
  }

  /** Records the outcome of an evaluation, or a decision, on a stored promotion. */
  public void settle(DSLContext tx, UUID id, Promotion.State state, String reason, List<Verdict> verdicts,
      String policySetDigest, String contentDigest) {
    tx.update(PROMOTION)
        .set(PROMOTION.STATE, state.name())
        .set(PROMOTION.STATE_REASON, reason)
        .set(PROMOTION.VERDICTS, verdictsJson(verdicts))
        .set(PROMOTION.POLICY_SET_DIGEST, policySetDigest)
        .set(PROMOTION.CONTENT_DIGEST, contentDigest)
        .set(PROMOTION.UPDATE_TIME, DSL.currentOffsetDateTime())
        .where(PROMOTION.ID.eq(id))
        .execute();
  }

  /** Changes only the state, keeping the verdicts of the last evaluation. */
  public void setState(DSLContext tx, UUID id, Promotion.State state, String reason) {
    tx.update(PROMOTION)
        .set(PROMOTION.STATE, state.name())
        .set(PROMOTION.STATE_REASON, reason)
        .set(PROMOTION.UPDATE_TIME, DSL.currentOffsetDateTime())
        .where(PROMOTION.ID.eq(id))
        .execute();
  }

  /** Records a principal's decision, replacing an earlier one of theirs that no longer counts. */
  public void replaceDecision(DSLContext tx, UUID id, Promotion.Decision decision) {
    tx.insertInto(PROMOTION_DECISION)
        .set(PROMOTION_DECISION.PROMOTION_SEQ,
            DSL.select(PROMOTION.SEQ).from(PROMOTION).where(PROMOTION.ID.eq(id)).asField())
        .set(PROMOTION_DECISION.PRINCIPAL, decision.principal())
        .set(PROMOTION_DECISION.APPROVED, decision.approved())
        .set(PROMOTION_DECISION.COMMENT, decision.comment())
        .set(PROMOTION_DECISION.CONTENT_DIGEST, decision.contentDigest())
        .set(PROMOTION_DECISION.POLICY_SET_DIGEST, decision.policySetDigest())
        .set(PROMOTION_DECISION.MEMBERSHIPS, memberships(decision))
        .onConflict(PROMOTION_DECISION.PROMOTION_SEQ, PROMOTION_DECISION.PRINCIPAL)
        .doUpdate()
        .set(PROMOTION_DECISION.APPROVED, decision.approved())
        .set(PROMOTION_DECISION.COMMENT, decision.comment())
        .set(PROMOTION_DECISION.CONTENT_DIGEST, decision.contentDigest())
        .set(PROMOTION_DECISION.POLICY_SET_DIGEST, decision.policySetDigest())
        .set(PROMOTION_DECISION.MEMBERSHIPS, memberships(decision))
        .set(PROMOTION_DECISION.CREATE_TIME, DSL.currentOffsetDateTime())
        .execute();
  }

  /** The model id and alias a promotion moves, read alone: what an access check needs, without its decisions. */
  public Optional<Map.Entry<String, String>> target(DSLContext ctx, UUID id) {
    return ctx.select(REGISTERED_MODEL.NAME, PROMOTION.ALIAS)
        .from(PROMOTION).join(REGISTERED_MODEL).on(REGISTERED_MODEL.ID.eq(PROMOTION.MODEL_ID))
        .where(PROMOTION.ID.eq(id))
        .fetchOptional(row -> Map.entry(row.value1(), row.value2()));
  }

  public Optional<Promotion> find(DSLContext ctx, UUID id) {
    return toPromotions(ctx, select(ctx).where(PROMOTION.ID.eq(id)).fetch()).stream().findFirst();
  }

  /** Locks the promotion's row until the transaction ends. */
  public Optional<Promotion> lock(DSLContext tx, UUID id) {
    return toPromotions(tx, select(tx).where(PROMOTION.ID.eq(id)).forUpdate().of(PROMOTION).fetch()).stream()
        .findFirst();
  }

  /** Locks the promotions of the alias still awaiting approval, but one. */
  public List<Promotion> lockPending(DSLContext tx, String modelId, String alias, UUID except) {
    return toPromotions(tx, select(tx)
        .where(REGISTERED_MODEL.NAME.eq(modelId))
        .and(PROMOTION.ALIAS.eq(alias))
        .and(PROMOTION.STATE.eq(Promotion.State.AWAITING_APPROVAL.name()))
        .and(PROMOTION.ID.ne(except))
        .orderBy(PROMOTION.SEQ)
        .forUpdate().of(PROMOTION)
        .fetch());
  }

  /** Promotions still awaiting approval whose time ran out by {@code now}, oldest first. */
  public List<UUID> overdue(DSLContext ctx, Instant now, int limit) {
    return ctx.select(PROMOTION.ID).from(PROMOTION)
        .where(PROMOTION.STATE.eq(Promotion.State.AWAITING_APPROVAL.name()))
        .and(PROMOTION.EXPIRE_TIME.le(now.atOffset(ZoneOffset.UTC)))
        .orderBy(PROMOTION.EXPIRE_TIME)
        .limit(limit)
        .fetch(PROMOTION.ID);
  }

  /** @param readable which models the caller may read, in SQL: rows beyond them are never fetched */
  public ListQuery.Page<Promotion> list(DSLContext ctx, ListQuery query, Condition readable) {
    var rows = select(ctx).where(readable).and(query.condition()).orderBy(query.orderBy()).limit(query.limit()).fetch();
    Map<UUID, Promotion> byId = toPromotions(ctx, rows).stream()
        .collect(Collectors.toMap(Promotion::id, promotion -> promotion));
    return query.page(rows, row -> byId.get(row.get(PROMOTION.ID)));
  }

  private static SelectJoinStep<Record> select(DSLContext ctx) {
    return ctx.select(PROMOTION.fields()).select(REGISTERED_MODEL.NAME)
        .from(PROMOTION).join(REGISTERED_MODEL).on(REGISTERED_MODEL.ID.eq(PROMOTION.MODEL_ID));
  }

  /** The rows as promotions, with the decisions of all of them read in one query. */
  private static List<Promotion> toPromotions(DSLContext ctx, List<? extends Record> rows) {
    List<Long> seqs = rows.stream().map(row -> row.get(PROMOTION.SEQ)).toList();
    Map<Long, List<Promotion.Decision>> decisions = seqs.isEmpty() ? Map.of()
        : ctx.selectFrom(PROMOTION_DECISION)
            .where(PROMOTION_DECISION.PROMOTION_SEQ.in(seqs))
            .orderBy(PROMOTION_DECISION.CREATE_TIME, PROMOTION_DECISION.PRINCIPAL)
            .fetch().stream()
            .collect(Collectors.groupingBy(PromotionDecisionRecord::getPromotionSeq,
                Collectors.mapping(PromotionRepository::toDecision, Collectors.toList())));
    return rows.stream().map(row -> {
      PromotionRecord p = row.into(PROMOTION);
      return new Promotion(p.getId(), row.get(REGISTERED_MODEL.NAME), p.getAlias(),
          Optional.ofNullable(p.getVersion()), Promotion.Kind.valueOf(p.getKind()),
          Promotion.State.valueOf(p.getState()), p.getStateReason(), p.getRequester(), p.getJustification(),
          Optional.ofNullable(p.getExpectedCurrentVersion()), p.getArchivePrevious(),
          Optional.ofNullable(p.getCurrentVersion()), p.getAliasRevision(), verdicts(p.getVerdicts()),
          p.getPolicySetDigest(), p.getContentDigest(), decisions.getOrDefault(p.getSeq(), List.of()),
          p.getCreateTime(), p.getUpdateTime(), p.getExpireTime(), false);
    }).toList();
  }


  private static Promotion.Decision toDecision(PromotionDecisionRecord d) {
    return new Promotion.Decision(d.getPrincipal(), d.getApproved(), d.getComment(), d.getCreateTime(),
        d.getContentDigest(), d.getPolicySetDigest(),
        Set.copyOf(Arrays.asList(d.getMemberships())));
  }

  /** An array, not joined text: a group's name may hold any printable character, a comma too. */
  private static String[] memberships(Promotion.Decision decision) {
    return decision.memberships().stream().sorted().toArray(String[]::new);
  }

  private static JSON verdictsJson(List<Verdict> verdicts) {
    return JSON.valueOf(CanonicalJson.write(verdicts.stream().map(v -> {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("policy", v.policy());
      json.put("outcome", v.outcome().name());
      json.put("message", v.message());
      json.put("facts", v.facts());
      return json;
    }).toList()));
  }

  @SuppressWarnings("unchecked")
  private static List<Verdict> verdicts(JSON json) {
    try {
      return CanonicalJson.MAPPER.readValue(json.data(), VERDICTS).stream()
          .map(v -> new Verdict((String) v.get("policy"), Outcome.valueOf((String) v.get("outcome")),
              (String) v.get("message"), (Map<String, Object>) v.get("facts")))
          .toList();
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored verdicts are not JSON", e);
    }
  }
}
