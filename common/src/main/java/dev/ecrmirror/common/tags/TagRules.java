package dev.ecrmirror.common.tags;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Compiled tag rules: which tags of a source repository a repository row mirrors. Shared by the
 * worker and the controller, so both select exactly the same tags.
 *
 * <p>Selection is a pipeline of small steps, each dropping tags, in this order: the listing (less
 * tags that refer to another image) → {@code Tags} → {@code ExcludeTags} → {@code Constraint} →
 * {@code ExcludePrereleases} → {@code ReleaseOnly} → {@code MaxResults}. A tag named literally in
 * {@code Tags} (no glob, no regex) is kept by every step after {@code ExcludeTags}: naming a tag is the
 * strongest way to ask for it. The result is ordered: versions newest first by precedence (of equal
 * ones, more parts written first, then by tag text), then the other tags in lexical order.
 */
public final class TagRules {
  /** The referrers fallback tag and cosign's signature, attestation and SBOM tags. */
  private static final Pattern REFERENCE_TAG = Pattern.compile("sha256-[0-9a-f]{64}(\\.(sig|att|sbom))?");

  /**
   * The output order, which is also the order {@code MaxResults} ranks by: versions newest first, then
   * every other tag in lexical order. Of versions with equal precedence ({@code 22.12.0} and
   * {@code 22.12}) the one with more parts written comes first: it names a release exactly, while the
   * shorter one is usually a floating alias that will move.
   */
  private static final Comparator<Candidate> ORDER = Comparator
      .comparing((Candidate c) -> c.version() == null)
      .thenComparing(Candidate::version, Comparator.nullsLast(Comparator.<Version>reverseOrder()))
      .thenComparing(c -> c.version() == null ? 0 : -c.version().partCount())
      .thenComparing(Candidate::tag);

  private final RuleSpec spec;
  private final List<Step> steps;

  /** A tag on its way through the pipeline: its version if it is one, and whether {@code Tags} names it. */
  private record Candidate(String tag, Version version, boolean named) {
    boolean isVersion() {
      return version != null;
    }
  }

  /** One step of the pipeline, named after the rule it applies. */
  private record Step(String rule, UnaryOperator<List<Candidate>> apply) {}

  private TagRules(RuleSpec spec, List<Step> steps) {
    this.spec = spec;
    this.steps = steps;
  }

  /** Checks and compiles the rules; throws {@link IllegalArgumentException} naming the rule and the problem. */
  public static TagRules of(RuleSpec spec) {
    List<TagPattern> include = patterns("Tags", spec.tags());
    for (TagPattern p : include) {
      if (p.isLiteral() && refersToImage(p.text())) {
        throw new IllegalArgumentException("Tags '" + p.text() + "': a referrers or signature tag is never "
            + "selected by rules; it travels with the image it refers to");
      }
    }
    List<TagPattern> exclude = patterns("ExcludeTags", spec.excludeTags());
    Optional<Constraint> constraint = spec.constraint().map(text -> {
      try {
        return Constraint.parse(text);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("Constraint '" + text + "': " + e.getMessage(), e);
      }
    });
    checkKeywords("IncludePrereleases", spec.includePrereleases());
    checkKeywords("ExcludePrereleases", spec.excludePrereleases());
    spec.maxResults().ifPresent(n -> {
      if (n <= 0) {
        throw new IllegalArgumentException("MaxResults must be 1 or more, not " + n);
      }
    });
    return new TagRules(spec, pipeline(spec, include, exclude, constraint));
  }

  /** The steps the rules that are set call for, in pipeline order. */
  private static List<Step> pipeline(RuleSpec spec, List<TagPattern> include, List<TagPattern> exclude,
      Optional<Constraint> constraint) {
    List<Step> steps = new ArrayList<>();
    if (!include.isEmpty()) {
      steps.add(new Step("Tags", in -> in.stream()
          .filter(c -> include.stream().anyMatch(p -> p.matches(c.tag())))
          .map(c -> new Candidate(c.tag(), c.version(),
              include.stream().anyMatch(p -> p.isLiteral() && p.matches(c.tag()))))
          .toList()));
    }
    if (!exclude.isEmpty()) {
      steps.add(new Step("ExcludeTags", keep(c -> exclude.stream().noneMatch(p -> p.matches(c.tag())))));
    }
    constraint.ifPresent(con -> steps.add(new Step("Constraint",
        keepUnlessNamed(c -> c.isVersion() && con.matches(checkedVersion(c.version(), spec.includePrereleases()))))));
    if (!spec.excludePrereleases().isEmpty()) {
      steps.add(new Step("ExcludePrereleases",
          keepUnlessNamed(c -> !c.isVersion() || !c.version().hasAnyPrereleaseKeyword(spec.excludePrereleases()))));
    }
    if (spec.releaseOnly()) {
      steps.add(new Step("ReleaseOnly", keepUnlessNamed(c -> !c.isVersion() || !c.version().isPrerelease())));
    }
    spec.maxResults().ifPresent(n -> steps.add(new Step("MaxResults", in -> newest(in, n))));
    return List.copyOf(steps);
  }

  private static List<TagPattern> patterns(String rule, List<String> texts) {
    List<TagPattern> out = new ArrayList<>();
    for (String text : texts) {
      try {
        out.add(TagPattern.parse(text));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(rule + " '" + text + "': " + e.getMessage(), e);
      }
    }
    return List.copyOf(out);
  }

  private static void checkKeywords(String rule, List<String> keywords) {
    for (String keyword : keywords) {
      try {
        Version.checkKeyword(keyword);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(rule + " '" + keyword + "': " + e.getMessage(), e);
      }
    }
  }

  /**
   * The version a constraint checks: a pre-release that {@code IncludePrereleases} names by its core
   * ({@code 1.3.0-debian-12} as {@code 1.3.0}, as lambda-ecr-image-sync does), anything else as it is
   * (so go-version's rule drops other pre-releases).
   */
  private static Version checkedVersion(Version v, List<String> includePrereleases) {
    return v.isPrerelease() && v.hasAnyPrereleaseKeyword(includePrereleases) ? v.core() : v;
  }

  private static UnaryOperator<List<Candidate>> keep(Predicate<Candidate> test) {
    return in -> in.stream().filter(test).toList();
  }

  private static UnaryOperator<List<Candidate>> keepUnlessNamed(Predicate<Candidate> test) {
    return keep(c -> c.named() || test.test(c));
  }

  /** {@code MaxResults}: the newest {@code n} versions and the named tags; every other tag goes. */
  private static List<Candidate> newest(List<Candidate> in, int n) {
    Set<Candidate> versions = in.stream().filter(c -> c.isVersion() && !c.named()).sorted(ORDER).limit(n)
        .collect(Collectors.toSet());
    return in.stream().filter(c -> c.named() || versions.contains(c)).toList();
  }

  public RuleSpec spec() {
    return spec;
  }

  /**
   * The tags these rules select from a repository's listing, each once, versions newest first, then
   * the other tags in lexical order. Tags that refer to another image ({@link #refersToImage}) are
   * never selected.
   */
  public List<String> select(Collection<String> tags) {
    return run(tags).sequencedValues().getLast();
  }

  /**
   * What is left after each step, keyed by the step: {@code listing} first (the tags less those that
   * refer to another image), then each rule that is set, by its attribute name, in pipeline order. The
   * last entry is {@link #select}'s result. For {@code --dry-run} and for explaining why a tag is missing.
   */
  public Map<String, List<String>> trace(Collection<String> tags) {
    return Collections.unmodifiableMap(run(tags));
  }

  private LinkedHashMap<String, List<String>> run(Collection<String> tags) {
    LinkedHashMap<String, List<String>> trace = new LinkedHashMap<>();
    List<Candidate> current = new LinkedHashSet<>(tags).stream()
        .filter(tag -> !refersToImage(tag))
        .map(tag -> new Candidate(tag, Version.ofTag(tag).orElse(null), false))
        .sorted(ORDER)
        .toList();
    trace.put("listing", current.stream().map(Candidate::tag).toList());
    for (Step step : steps) {
      current = step.apply().apply(current);
      trace.put(step.rule(), current.stream().map(Candidate::tag).toList());
    }
    return trace;
  }

  /** True for {@code sha256-<hex>} and cosign's {@code sha256-<hex>.sig/.att/.sbom}: they belong to another image. */
  public static boolean refersToImage(String tag) {
    return REFERENCE_TAG.matcher(tag).matches();
  }
}
