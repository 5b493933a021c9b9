package io.gantry.server.promotion;

import static io.gantry.db.Tables.POLICY_BINDING;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import io.gantry.db.tables.records.PolicyBindingRecord;
import io.gantry.policy.PolicyFile.PolicySpec;
import io.gantry.server.common.CanonicalJson;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/** Policy bindings in PostgreSQL. Every method runs in the context it is given. */
public final class PolicyBindingRepository {

  private static final TypeReference<List<Map<String, Object>>> SPECS = new TypeReference<>() {};

  /** Locks the binding's row, when there is one, until the transaction ends. */
  public Optional<PolicyBinding> lock(DSLContext tx, String modelPattern, String alias, Purpose purpose) {
    return tx.selectFrom(POLICY_BINDING)
        .where(POLICY_BINDING.MODEL_PATTERN.eq(modelPattern))
        .and(POLICY_BINDING.ALIAS.eq(alias))
        .and(POLICY_BINDING.PURPOSE.eq(purpose.wireName()))
        .forUpdate()
        .fetchOptional(PolicyBindingRepository::toBinding);
  }

  /** Inserts or replaces the binding of (pattern, alias, purpose). */
  public PolicyBinding upsert(DSLContext tx, String modelPattern, String alias, Purpose purpose, String policiesJson,
      String digest, String actor) {
    return tx.insertInto(POLICY_BINDING)
        .set(POLICY_BINDING.MODEL_PATTERN, modelPattern)
        .set(POLICY_BINDING.ALIAS, alias)
        .set(POLICY_BINDING.PURPOSE, purpose.wireName())
        .set(POLICY_BINDING.POLICIES, policiesJson)
        .set(POLICY_BINDING.DIGEST, digest)
        .set(POLICY_BINDING.UPDATED_BY, actor)
        .onConflict(POLICY_BINDING.MODEL_PATTERN, POLICY_BINDING.ALIAS, POLICY_BINDING.PURPOSE)
        .doUpdate()
        .set(POLICY_BINDING.POLICIES, policiesJson)
        .set(POLICY_BINDING.DIGEST, digest)
        .set(POLICY_BINDING.UPDATE_TIME, DSL.currentOffsetDateTime())
        .set(POLICY_BINDING.UPDATED_BY, actor)
        .returning()
        .fetchSingle(PolicyBindingRepository::toBinding);
  }

  public void delete(DSLContext tx, String modelPattern, String alias, Purpose purpose) {
    tx.deleteFrom(POLICY_BINDING)
        .where(POLICY_BINDING.MODEL_PATTERN.eq(modelPattern))
        .and(POLICY_BINDING.ALIAS.eq(alias))
        .and(POLICY_BINDING.PURPOSE.eq(purpose.wireName()))
        .execute();
  }

  /** The bindings of one alias and purpose, on any pattern. */
  public List<PolicyBinding> forAlias(DSLContext ctx, String alias, Purpose purpose) {
    return ctx.selectFrom(POLICY_BINDING)
        .where(POLICY_BINDING.ALIAS.eq(alias))
        .and(POLICY_BINDING.PURPOSE.eq(purpose.wireName()))
        .fetch(PolicyBindingRepository::toBinding);
  }

  public List<PolicyBinding> all(DSLContext ctx) {
    return ctx.selectFrom(POLICY_BINDING)
        .orderBy(POLICY_BINDING.ALIAS, POLICY_BINDING.PURPOSE, POLICY_BINDING.MODEL_PATTERN)
        .fetch(PolicyBindingRepository::toBinding);
  }

  private static PolicyBinding toBinding(PolicyBindingRecord row) {
    List<Map<String, Object>> specs;
    try {
      specs = CanonicalJson.MAPPER.readValue(row.getPolicies(), SPECS);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored policy binding " + row.getId() + " is not JSON", e);
    }
    List<PolicySpec> policies = specs.stream().map(spec -> {
      @SuppressWarnings("unchecked")
      Map<String, Object> params = (Map<String, Object>) spec.getOrDefault("params", Map.of());
      return new PolicySpec((String) spec.get("type"), new LinkedHashMap<>(params));
    }).toList();
    return new PolicyBinding(row.getModelPattern(), row.getAlias(), Purpose.valueOf(row.getPurpose().toUpperCase(
        java.util.Locale.ROOT)), policies, row.getDigest(), row.getUpdateTime(), row.getUpdatedBy());
  }
}
