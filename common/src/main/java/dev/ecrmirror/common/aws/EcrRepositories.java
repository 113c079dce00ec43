package dev.ecrmirror.common.aws;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ecrmirror.common.Json;
import dev.ecrmirror.common.LazyLogger;
import dev.ecrmirror.common.auth.EcrCredentials;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.registry.RegistryException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.CreateRepositoryRequest;
import software.amazon.awssdk.services.ecr.model.EncryptionConfiguration;
import software.amazon.awssdk.services.ecr.model.ImageTagMutabilityExclusionFilter;
import software.amazon.awssdk.services.ecr.model.ImageTagMutabilityExclusionFilterType;
import software.amazon.awssdk.services.ecr.model.LifecyclePolicyNotFoundException;
import software.amazon.awssdk.services.ecr.model.Repository;
import software.amazon.awssdk.services.ecr.model.RepositoryAlreadyExistsException;
import software.amazon.awssdk.services.ecr.model.RepositoryCreationTemplate;
import software.amazon.awssdk.services.ecr.model.RepositoryNotFoundException;
import software.amazon.awssdk.services.ecr.model.Tag;

/**
 * Creates missing ECR repositories before an image is pushed to them, with the given
 * {@link RepositorySettings}, as a registry that creates repositories on push would: ECR answers a
 * push to a missing repository with {@code NAME_UNKNOWN}. Settings apply only to a repository this
 * creates; an existing one is never changed ({@link #differences} says where it differs). A
 * repository a creation template covers for {@code CREATE_ON_PUSH} is left for ECR to create on the
 * push, with the template's settings. Each repository is asked about once per run.
 */
public final class EcrRepositories {
  private static final LazyLogger LOG = LazyLogger.of(EcrRepositories.class);
  /** How {@link #differences} begins the line of a missing repository a run would create. */
  public static final String WOULD_BE_CREATED = "missing: would be created";
  /** The creation templates ECR applies to a repository it creates when an image is pushed to it. */
  static final String CREATE_ON_PUSH = "CREATE_ON_PUSH";

  /** What {@link #ensure} did. */
  public enum Outcome {
    /** The destination is not in ECR: nothing to do. */
    NOT_ECR,
    /** Created, with the settings. */
    CREATED,
    /** It was there (or was asked about earlier in the run): left as it is. */
    EXISTS,
    /** Missing, and a {@code CREATE_ON_PUSH} creation template covers it: ECR creates it on the push. */
    LEFT_TO_TEMPLATE
  }

  private final EcrClientSource clients;
  private final RepositorySettings settings;
  private final Set<String> ensured = ConcurrentHashMap.newKeySet();
  private final Map<String, List<RepositoryCreationTemplate>> templates = new ConcurrentHashMap<>();

  /** Creates repositories with ECR's defaults. */
  public EcrRepositories(Function<Region, EcrClient> clients) {
    this(EcrClientSource.anyAccount(clients), RepositorySettings.none());
  }

  public EcrRepositories(EcrClientSource clients, RepositorySettings settings) {
    this.clients = clients;
    this.settings = settings;
  }

  /**
   * Creates the destination's repository if it is in ECR and does not exist yet; other registries
   * are left alone. Returns true when it created one.
   */
  public boolean ensureExists(ImageReference destination) {
    return ensure(destination) == Outcome.CREATED;
  }

  /**
   * Makes sure the destination's repository can receive a push. In {@code refresh} mode a missing
   * repository is a {@link RegistryException} with status 404 (a permanent failure for that
   * destination); nothing is created.
   */
  public Outcome ensure(ImageReference destination) {
    Optional<EcrCredentials.Registry> host = EcrCredentials.registryOf(destination.registry());
    if (host.isEmpty()) {
      return Outcome.NOT_ECR;
    }
    Region region = host.get().region();
    if (!ensured.add(destination.name())) {
      return Outcome.EXISTS;
    }
    String account = host.get().account();
    String repository = destination.repository();
    String where = "ECR repository " + repository + " in account " + account + " (" + region + ")";
    try {
      EcrClient ecr = clients.client(account, region);
      if (!settings.creates()) {
        if (describe(ecr, account, repository).isEmpty()) {
          throw new RegistryException("push to " + destination.name(), 404, "NAME_UNKNOWN", where
              + " does not exist, and repository mode refresh never creates one: create it, or use mode create");
        }
        return Outcome.EXISTS;
      }
      Optional<RepositoryCreationTemplate> template = template(ecr, account, region, repository);
      if (template.isPresent()) {
        if (describe(ecr, account, repository).isPresent()) {
          return Outcome.EXISTS;
        }
        LOG.get().info("{} does not exist; creation template '{}' covers it for CREATE_ON_PUSH, so ECR creates it on the "
            + "first push with the template's settings (this mirror's repository settings are not applied)",
            where, template.get().prefix());
        return Outcome.LEFT_TO_TEMPLATE;
      }
      try {
        ecr.createRepository(createRequest(account, repository));
      } catch (RepositoryAlreadyExistsException e) {
        return Outcome.EXISTS;
      }
      LOG.get().info("created {}{}", where, settings.isEmpty() ? "" : " with " + settings.toJson());
      if (settings.lifecyclePolicy() != null) {
        // Only on a repository made just now: an existing one's policy is never replaced.
        ecr.putLifecyclePolicy(b -> b.registryId(account).repositoryName(repository)
            .lifecyclePolicyText(settings.lifecyclePolicy()));
      }
      return Outcome.CREATED;
    } catch (SdkException e) {
      ensured.remove(destination.name());
      throw new IllegalStateException("cannot create " + where + ": " + AwsErrors.message(e, "call the ECR API"), e);
    } catch (RuntimeException e) {
      ensured.remove(destination.name());
      throw e;
    }
  }

  /** The CreateRepository request for {@code repository} with the settings. */
  CreateRepositoryRequest createRequest(String account, String repository) {
    CreateRepositoryRequest.Builder b = CreateRepositoryRequest.builder().registryId(account).repositoryName(repository);
    if (settings.scanOnPush() != null) {
      b.imageScanningConfiguration(s -> s.scanOnPush(settings.scanOnPush()));
    }
    if (settings.tagMutability() != null) {
      b.imageTagMutability(settings.tagMutability());
      if (!settings.tagMutabilityExclusions().isEmpty()) {
        b.imageTagMutabilityExclusionFilters(settings.tagMutabilityExclusions().stream()
            .map(f -> ImageTagMutabilityExclusionFilter.builder().filterType(ImageTagMutabilityExclusionFilterType.WILDCARD)
                .filter(f).build())
            .toList());
      }
    }
    if (settings.encryption() != null) {
      b.encryptionConfiguration(EncryptionConfiguration.builder().encryptionType(settings.encryption())
          .kmsKey(settings.kmsKey()).build());
    }
    if (!settings.tags().isEmpty()) {
      b.tags(settings.tags().entrySet().stream().map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build())
          .toList());
    }
    return b.build();
  }

  private static Optional<Repository> describe(EcrClient ecr, String account, String repository) {
    try {
      return ecr.describeRepositories(b -> b.registryId(account).repositoryNames(repository)).repositories().stream()
          .findFirst();
    } catch (RepositoryNotFoundException e) {
      return Optional.empty();
    }
  }

  /**
   * The {@code CREATE_ON_PUSH} creation template that would apply to {@code repository}: the one with
   * the longest prefix it falls under ({@code prod} covers {@code prod/...}), else {@code ROOT}.
   * Templates are read once per registry; a registry whose templates cannot be read (the role may
   * not) is treated as having none, with one warning.
   */
  Optional<RepositoryCreationTemplate> template(EcrClient ecr, String account, Region region, String repository) {
    List<RepositoryCreationTemplate> all = templates.computeIfAbsent(account + "/" + region, k -> {
      try {
        List<RepositoryCreationTemplate> found = new ArrayList<>();
        ecr.describeRepositoryCreationTemplatesPaginator(b -> {}).forEach(p -> found.addAll(p.repositoryCreationTemplates()));
        return found;
      } catch (SdkException e) {
        LOG.get().warn("cannot read the repository creation templates of account {} ({}), so repositories are created with "
            + "this mirror's settings: {}", account, region, AwsErrors.message(e, "call the ECR API"));
        return List.of();
      }
    });
    RepositoryCreationTemplate best = null;
    int bestLength = -1;
    for (RepositoryCreationTemplate t : all) {
      if (!t.appliedForAsStrings().contains(CREATE_ON_PUSH) || t.prefix() == null) {
        continue;
      }
      String prefix = t.prefix().endsWith("/") ? t.prefix().substring(0, t.prefix().length() - 1) : t.prefix();
      int length = prefix.equals("ROOT") ? 0 : repository.startsWith(prefix + "/") ? prefix.length() : -1;
      if (length > bestLength) {
        best = t;
        bestLength = length;
      }
    }
    return Optional.ofNullable(best);
  }

  /**
   * Where the destination's repository differs from the settings, one line each, for a dry run;
   * empty when it matches (only fields the settings set are compared) or is not in ECR. A missing
   * repository is one line saying what a run would do.
   */
  public List<String> differences(ImageReference destination) {
    Optional<EcrCredentials.Registry> host = EcrCredentials.registryOf(destination.registry());
    if (host.isEmpty()) {
      return List.of();
    }
    String account = host.get().account();
    Region region = host.get().region();
    String repository = destination.repository();
    List<String> out = new ArrayList<>();
    try {
      EcrClient ecr = clients.client(account, region);
      Optional<Repository> found = describe(ecr, account, repository);
      if (found.isEmpty()) {
        if (!settings.creates()) {
          out.add("missing, and mode refresh never creates it: the copy would fail");
        } else {
          Optional<RepositoryCreationTemplate> template = template(ecr, account, region, repository);
          out.add(template.isPresent()
              ? "missing: ECR would create it on push from creation template '" + template.get().prefix() + "'"
              : WOULD_BE_CREATED + (settings.isEmpty() ? "" : " with " + settings.toJson()));
        }
        return out;
      }
      Repository r = found.get();
      if (settings.scanOnPush() != null) {
        boolean has = r.imageScanningConfiguration() != null && Boolean.TRUE.equals(r.imageScanningConfiguration().scanOnPush());
        differ(out, "scanOnPush", settings.scanOnPush(), has);
      }
      if (settings.tagMutability() != null) {
        differ(out, "tagMutability", settings.tagMutability(), r.imageTagMutabilityAsString());
        List<String> has = r.imageTagMutabilityExclusionFilters().stream().map(ImageTagMutabilityExclusionFilter::filter)
            .sorted().toList();
        differ(out, "tagMutabilityExclusions", settings.tagMutabilityExclusions().stream().sorted().toList(), has);
      }
      if (settings.encryption() != null) {
        EncryptionConfiguration e = r.encryptionConfiguration();
        differ(out, "encryption", settings.encryption(), e == null ? "AES256" : e.encryptionTypeAsString());
        if (settings.kmsKey() != null) {
          differ(out, "kmsKey", settings.kmsKey(), e == null ? null : e.kmsKey());
        }
      }
      if (settings.lifecyclePolicy() != null) {
        String has;
        try {
          has = ecr.getLifecyclePolicy(b -> b.registryId(account).repositoryName(repository)).lifecyclePolicyText();
        } catch (LifecyclePolicyNotFoundException e) {
          has = null;
        }
        if (!sameJson(settings.lifecyclePolicy(), has)) {
          out.add("lifecyclePolicy: wants " + settings.lifecyclePolicy() + ", has " + (has == null ? "none" : compact(has)));
        }
      }
      if (!settings.tags().isEmpty()) {
        Map<String, String> has = ecr.listTagsForResource(b -> b.resourceArn(r.repositoryArn())).tags().stream()
            .collect(Collectors.toMap(Tag::key, Tag::value, (a, b) -> b));
        settings.tags().forEach((k, v) -> {
          if (!v.equals(has.get(k))) {
            out.add("tag " + k + ": wants " + v + ", has " + (has.containsKey(k) ? has.get(k) : "none"));
          }
        });
      }
    } catch (SdkException e) {
      out.add("cannot compare settings: " + AwsErrors.message(e, "call the ECR API"));
    }
    return out;
  }

  private static void differ(List<String> out, String field, Object wants, Object has) {
    if (!wants.equals(has)) {
      out.add(field + ": wants " + wants + ", has " + has);
    }
  }

  private static boolean sameJson(String a, String b) {
    if (b == null) {
      return false;
    }
    try {
      JsonNode x = Json.readTree(a);
      JsonNode y = Json.readTree(b);
      return x.equals(y);
    } catch (IOException e) {
      return false;
    }
  }

  private static String compact(String json) {
    try {
      return Json.readTree(json).toString();
    } catch (IOException e) {
      return json;
    }
  }
}
