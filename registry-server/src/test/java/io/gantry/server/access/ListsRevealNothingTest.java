package io.gantry.server.access;

import static io.gantry.server.access.VerifiedServer.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gantry.server.TestRegistry;
import io.gantry.v1.AuditGrpc;
import io.gantry.v1.CreateModelRequest;
import io.gantry.v1.CreateModelVersionRequest;
import io.gantry.v1.ListAuditEventsRequest;
import io.gantry.v1.ListModelVersionsRequest;
import io.gantry.v1.ListModelsRequest;
import io.gantry.v1.ListPromotionsRequest;
import io.gantry.v1.ModelRegistryGrpc;
import io.gantry.v1.ModelVersion;
import io.gantry.v1.Promotion;
import io.gantry.v1.PromotionsGrpc;
import io.gantry.v1.RegisteredModel;
import io.gantry.v1.RequestPromotionRequest;
import io.gantry.v1.Role;
import io.gantry.v1.UpdateModelRequest;
import io.gantry.v1.UpdateModelVersionRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;

/**
 * A viewer bound to {@code public-*} learns nothing of the models she may not read: not from how full a page is, not
 * from what a filter over hidden fields answers, not from a page token. Its own server, so the names are plain.
 */
class ListsRevealNothingTest {

  @RegisterExtension
  static final VerifiedServer gantry = new VerifiedServer();

  private static final List<String> READABLE = List.of("public-a", "public-b", "public-c");
  private static final List<String> HIDDEN = List.of("aaa-hidden", "secret-fraud", "secret-x", "zzz-hidden");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ORACLE = "(name = \"secret-fraud\" AND description LIKE \"%Contoso%\")"
      + " OR name = \"public-a\"";

  private static String vera;

  @BeforeAll
  static void modelsBothSidesOfTheGlob() {
    List<String> all = new ArrayList<>(HIDDEN);
    all.addAll(READABLE);
    for (String model : all) {
      root().createModel(CreateModelRequest.newBuilder().setModelId(model).build());
      root().createModelVersion(CreateModelVersionRequest.newBuilder().setParent("models/" + model).build());
      rootPromotions().requestPromotion(RequestPromotionRequest.newBuilder().setModel("models/" + model)
          .setAlias("staging").setVersion(1).build());
    }
    gantry.grant("user:vera", Role.ROLE_VIEWER, "public-*");
    gantry.grant("user:wanda", Role.ROLE_VIEWER, "public-*");
    gantry.grant("user:audrey", Role.ROLE_AUDITOR, "*");
    vera = gantry.jwt("vera");
  }

  private static ModelRegistryGrpc.ModelRegistryBlockingStub root() {
    return gantry.as(ModelRegistryGrpc.newBlockingStub(gantry.channel), VerifiedServer.ROOT);
  }

  private static PromotionsGrpc.PromotionsBlockingStub rootPromotions() {
    return gantry.as(PromotionsGrpc.newBlockingStub(gantry.channel), VerifiedServer.ROOT);
  }

  private static ModelRegistryGrpc.ModelRegistryBlockingStub registry(String credential) {
    return bearer(ModelRegistryGrpc.newBlockingStub(gantry.channel), credential);
  }

  private static PromotionsGrpc.PromotionsBlockingStub promotions(String credential) {
    return bearer(PromotionsGrpc.newBlockingStub(gantry.channel), credential);
  }

  /** One page: the model of each item, and the token of the next. */
  private record Page(List<String> models, String nextPageToken) {}

  /** Every page of a list, walked with {@code list} from the first token. */
  private static List<Page> walk(Function<String, Page> list) {
    List<Page> pages = new ArrayList<>();
    String token = "";
    do {
      Page page = list.apply(token);
      pages.add(page);
      token = page.nextPageToken();
      assertThat(pages).as("the walk ends").hasSizeLessThan(100);
    } while (!token.isEmpty());
    return pages;
  }

  private static Page models(String credential, String filter, int pageSize, String token) {
    var page = registry(credential).listModels(ListModelsRequest.newBuilder().setFilter(filter).setPageSize(pageSize)
        .setPageToken(token).build());
    return new Page(page.getModelsList().stream().map(RegisteredModel::getName).map(n -> n.substring(7)).toList(),
        page.getNextPageToken());
  }

  private static Page versions(String credential, String filter, int pageSize, String token) {
    var page = registry(credential).listModelVersions(ListModelVersionsRequest.newBuilder().setParent("models/-")
        .setFilter(filter).setOrderBy("create_time").setPageSize(pageSize).setPageToken(token).build());
    return new Page(page.getModelVersionsList().stream().map(ModelVersion::getName)
        .map(n -> n.substring(7, n.indexOf("/versions/"))).toList(), page.getNextPageToken());
  }

  private static Page promotionPage(String credential, String filter, int pageSize, String token) {
    var page = promotions(credential).listPromotions(ListPromotionsRequest.newBuilder().setFilter(filter)
        .setPageSize(pageSize).setPageToken(token).build());
    return new Page(page.getPromotionsList().stream().map(Promotion::getModel).map(n -> n.substring(7)).toList(),
        page.getNextPageToken());
  }

  /** Every page holds exactly one item, the walk holds exactly the readable models, and no token names another. */
  private static void assertFullPagesOfReadableModelsOnly(List<Page> pages) {
    assertThat(pages).allSatisfy(page -> assertThat(page.models()).hasSize(1));
    assertThat(pages.stream().flatMap(page -> page.models().stream()).sorted().toList()).isEqualTo(READABLE);
    for (Page page : pages) {
      assertRevealsNoHiddenModel(page.nextPageToken());
    }
  }

  private static void assertRevealsNoHiddenModel(String token) {
    List<String> readings = new ArrayList<>(List.of(token));
    for (Base64.Decoder decoder : List.of(Base64.getUrlDecoder(), Base64.getDecoder(), Base64.getMimeDecoder())) {
      try {
        byte[] bytes = decoder.decode(token);
        readings.add(new String(bytes, StandardCharsets.ISO_8859_1));
        readings.add(new String(bytes, StandardCharsets.UTF_8));
        readings.add(java.util.HexFormat.of().formatHex(bytes));
      } catch (IllegalArgumentException e) {
        // not in this alphabet
      }
    }
    for (String hidden : HIDDEN) {
      String hex = java.util.HexFormat.of().formatHex(hidden.getBytes(StandardCharsets.UTF_8));
      assertThat(readings).as("token %s", token)
          .noneMatch(reading -> reading.contains(hidden) || reading.contains(hex) || reading.contains("secret"));
    }
  }

  private static StatusRuntimeException refused(Executable call) {
    StatusRuntimeException e = catchThrowableOfType(call::execute, StatusRuntimeException.class);
    assertThat(e).as("the call was refused").isNotNull();
    return e;
  }

  private static void assertBadPageToken(Executable call) {
    StatusRuntimeException e = refused(call);
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(TestRegistry.violations(e)).extracting(v -> v.getField()).containsExactly("page_token");
  }

  private static String flipped(String token) {
    byte[] bytes = Base64.getUrlDecoder().decode(token);
    bytes[bytes.length / 2] ^= 0x01;
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  @Test
  void pagingModels_givesFullPagesOfReadableModels_andTokensThatNameNoHiddenModel() {
    for (String order : List.of("name", "name desc", "create_time", "update_time desc")) {
      List<Page> pages = walk(token -> {
        var page = registry(vera).listModels(ListModelsRequest.newBuilder().setOrderBy(order).setPageSize(1)
            .setPageToken(token).build());
        return new Page(page.getModelsList().stream().map(m -> m.getName().substring(7)).toList(),
            page.getNextPageToken());
      });
      assertFullPagesOfReadableModelsOnly(pages);
    }
  }

  @Test
  void pagingVersionsAcrossModels_andPromotions_givesFullPagesOfReadableModels() {
    assertFullPagesOfReadableModelsOnly(walk(token -> versions(vera, "", 1, token)));
    assertFullPagesOfReadableModelsOnly(walk(token -> promotionPage(vera, "", 1, token)));
  }

  @Test
  void mlflowRestSearches_turnPagesWithTheSameSealedTokens() throws Exception {
    for (String search : List.of("registered-models/search", "model-versions/search")) {
      List<Page> pages = walk(token -> mlflowSearch(search, token));
      assertFullPagesOfReadableModelsOnly(pages);
    }
    String token = mlflowSearch("registered-models/search", "").nextPageToken();
    HttpResponse<String> otherCaller = mlflowGet("registered-models/search?max_results=1&page_token="
        + URLEncoder.encode(token, StandardCharsets.UTF_8), gantry.jwt("wanda"));
    assertThat(otherCaller.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(otherCaller.body()).get("error_code").asText()).isEqualTo("INVALID_PARAMETER_VALUE");
  }

  private static Page mlflowSearch(String search, String token) {
    try {
      HttpResponse<String> response = mlflowGet(search + "?max_results=1"
          + (token.isEmpty() ? "" : "&page_token=" + URLEncoder.encode(token, StandardCharsets.UTF_8)), vera);
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      JsonNode body = JSON.readTree(response.body());
      List<String> models = new ArrayList<>();
      body.path(search.startsWith("registered") ? "registered_models" : "model_versions")
          .forEach(item -> models.add(item.get("name").asText()));
      return new Page(models, body.path("next_page_token").asText(""));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static HttpResponse<String> mlflowGet(String pathAndQuery, String bearer) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + gantry.server.httpPort() + "/api/2.0/mlflow/" + pathAndQuery)).header("Authorization", "Bearer " + bearer)
        .GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aFilterOverAHiddenModelsDescription_answersTheSame_whateverTheDescriptionSays() {
    root().updateModel(UpdateModelRequest.newBuilder().setModel(RegisteredModel.newBuilder()
        .setName("models/secret-fraud").setDescription("Scores card payments for Contoso")).build());
    root().updateModelVersion(UpdateModelVersionRequest.newBuilder().setModelVersion(ModelVersion.newBuilder()
        .setName("models/secret-fraud/versions/1").setDescription("Trained on Contoso's ledger")).build());
    List<Page> modelsWithContoso = walk(token -> models(vera, ORACLE, 1, token));
    List<Page> versionsWithContoso = walk(token -> versions(vera, ORACLE, 1, token));
    // the admin's answer does depend on it: the filter itself works
    assertThat(walk(token -> models(gantry.jwt(VerifiedServer.ROOT), ORACLE, 1, token))).hasSize(2);

    root().updateModel(UpdateModelRequest.newBuilder().setModel(RegisteredModel.newBuilder()
        .setName("models/secret-fraud").setDescription("Scores card payments")).build());
    root().updateModelVersion(UpdateModelVersionRequest.newBuilder().setModelVersion(ModelVersion.newBuilder()
        .setName("models/secret-fraud/versions/1").setDescription("Trained on a ledger")).build());
    List<Page> modelsWithout = walk(token -> models(vera, ORACLE, 1, token));
    List<Page> versionsWithout = walk(token -> versions(vera, ORACLE, 1, token));

    assertThat(modelsWithContoso).hasSize(1).first().isEqualTo(new Page(List.of("public-a"), ""));
    assertThat(modelsWithout).isEqualTo(modelsWithContoso);
    assertThat(versionsWithContoso).hasSize(1).first().isEqualTo(new Page(List.of("public-a"), ""));
    assertThat(versionsWithout).isEqualTo(versionsWithContoso);
  }

  @Test
  void aFilterOverAHiddenModelsPromotions_answersTheSame_whetherItHasThemOrNot() {
    String filter = "(model = \"secret-x\" AND alias = \"canary\") OR (model = \"public-a\" AND alias = \"staging\")";
    List<Page> before = walk(token -> promotionPage(vera, filter, 1, token));

    rootPromotions().requestPromotion(RequestPromotionRequest.newBuilder().setModel("models/secret-x")
        .setAlias("canary").setVersion(1).build());
    List<Page> after = walk(token -> promotionPage(vera, filter, 1, token));

    assertThat(before).containsExactly(new Page(List.of("public-a"), ""));
    assertThat(after).isEqualTo(before);
    assertThat(walk(token -> promotionPage(gantry.jwt(VerifiedServer.ROOT), filter, 1, token))).hasSize(2);
  }

  @Test
  void aBindingsGlob_matchesLiterally_itsUnderscoreIsNoWildcard() {
    root().createModel(CreateModelRequest.newBuilder().setModelId("lit_ab").build());
    root().createModel(CreateModelRequest.newBuilder().setModelId("litxab").build());
    root().createModel(CreateModelRequest.newBuilder().setModelId("lit_abc").build());
    gantry.grant("user:uma", Role.ROLE_VIEWER, "lit_a?");

    assertThat(walk(token -> models(gantry.jwt("uma"), "", 1, token)))
        .containsExactly(new Page(List.of("lit_ab"), ""));
  }

  @Test
  void aPageToken_worksOnlyForItsQuery_andItsCaller_andUnaltered() {
    String token = models(vera, "", 1, "").nextPageToken();
    assertThat(token).isNotEmpty();
    assertThat(models(vera, "", 1, token).models()).hasSize(1);

    assertBadPageToken(() -> models(vera, "name != \"public-q\"", 1, token));
    assertBadPageToken(() -> registry(vera).listModels(ListModelsRequest.newBuilder().setOrderBy("name desc")
        .setPageSize(1).setPageToken(token).build()));
    assertBadPageToken(() -> versions(vera, "", 1, token));
    assertBadPageToken(() -> promotionPage(vera, "", 1, token));
    assertBadPageToken(() -> models(gantry.jwt("wanda"), "", 1, token));
    assertBadPageToken(() -> models(vera, "", 1, flipped(token)));
    assertBadPageToken(() -> models(vera, "", 1, token.substring(0, token.length() - 2)));
  }

  @Test
  void anAuditPageToken_isBoundToItsFilter_andItsCaller() {
    var audit = gantry.as(AuditGrpc.newBlockingStub(gantry.channel), VerifiedServer.ROOT);
    String token = audit.listAuditEvents(ListAuditEventsRequest.newBuilder().setPageSize(2).build()).getNextPageToken();
    assertThat(token).isNotEmpty();
    assertThat(audit.listAuditEvents(ListAuditEventsRequest.newBuilder().setPageSize(2).setPageToken(token).build())
        .getEventsList()).hasSize(2);

    assertBadPageToken(() -> audit.listAuditEvents(ListAuditEventsRequest.newBuilder().setPageSize(2)
        .setActor(VerifiedServer.ROOT).setPageToken(token).build()));
    assertBadPageToken(() -> gantry.as(AuditGrpc.newBlockingStub(gantry.channel), "audrey")
        .listAuditEvents(ListAuditEventsRequest.newBuilder().setPageSize(2).setPageToken(token).build()));
    assertBadPageToken(() -> audit.listAuditEvents(ListAuditEventsRequest.newBuilder().setPageSize(2)
        .setPageToken(flipped(token)).build()));
  }
}
