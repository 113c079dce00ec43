package dev.ecrmirror.cdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** The stack creates the job images' repositories, so a deploy needs no hand-made ECR steps. */
class ImageRepositoriesTest {

  @Test
  void createsBothRepositoriesScannedEncryptedAndImmutableExceptDevTags() {
    Template template = Stacks.template();

    template.resourceCountIs("AWS::ECR::Repository", 2);
    for (String name : List.of("ecr-mirror/controller", "ecr-mirror/mirror-worker")) {
      template.hasResource(
          "AWS::ECR::Repository",
          Map.of(
              "DeletionPolicy", "Retain",
              "UpdateReplacePolicy", "Retain",
              "Properties",
              Map.of(
                  "RepositoryName", name,
                  "ImageScanningConfiguration", Map.of("ScanOnPush", true),
                  "ImageTagMutability", "IMMUTABLE_WITH_EXCLUSION",
                  "ImageTagMutabilityExclusionFilters",
                  List.of(
                      Map.of(
                          "ImageTagMutabilityExclusionFilterType", "WILDCARD",
                          "ImageTagMutabilityExclusionFilterValue", "dev*"),
                      Map.of(
                          "ImageTagMutabilityExclusionFilterType", "WILDCARD",
                          "ImageTagMutabilityExclusionFilterValue", "latest")),
                  "EncryptionConfiguration", Map.of("EncryptionType", "AES256"),
                  "LifecyclePolicy", Match.anyValue())));
    }
  }

  @Test
  void expiresOnlyUntaggedImages() {
    Template template = Stacks.template();

    for (Object repository : template.findResources("AWS::ECR::Repository").values()) {
      var properties = (Map<?, ?>) ((Map<?, ?>) repository).get("Properties");
      String policy = ((Map<?, ?>) properties.get("LifecyclePolicy")).get("LifecyclePolicyText").toString();
      assertThat(policy)
          .contains("\"tagStatus\":\"untagged\"")
          .contains("\"countType\":\"sinceImagePushed\"")
          .contains("\"countNumber\":" + ImageRepositories.UNTAGGED_RETENTION_DAYS)
          .doesNotContain("\"tagged\"")
          .doesNotContain("\"any\"");
    }
  }

  @Test
  void theJobsPullFromTheCreatedRepositories() {
    Template template = Stacks.template();
    String worker = repository(template, "ecr-mirror/mirror-worker");

    template.hasResourceProperties(
        "AWS::IAM::Policy",
        Map.of(
            "PolicyName", Match.stringLikeRegexp("WorkerExecutionRole.*"),
            "PolicyDocument",
            Match.objectLike(
                Map.of(
                    "Statement",
                    Match.arrayWith(
                        List.of(
                            Match.objectLike(
                                Map.of(
                                    "Action", Match.arrayWith(List.of("ecr:BatchGetImage")),
                                    "Resource", Map.of("Fn::GetAtt", List.of(worker, "Arn"))))))))));
  }

  @Test
  void outputsTheCommandThatPushesTheImagesWhereTheJobsLook() {
    Template template = Stacks.template();

    template.hasOutput(
        "PushImagesCommand",
        Map.of(
            "Value",
            Map.of(
                "Fn::Join",
                List.of(
                    "",
                    List.of(
                        "java -jar images/target/images.jar --to ",
                        Map.of("Ref", "AWS::AccountId"),
                        ".dkr.ecr.",
                        Map.of("Ref", "AWS::Region"),
                        ".",
                        Map.of("Ref", "AWS::URLSuffix"),
                        "/ecr-mirror")))));
  }

  @Test
  void anEcrImagePrefixPutsTheRepositoriesUnderItsPathAndTheCommandPushesThere() {
    Template template =
        Stacks.template(
            Map.of("imagePrefix", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/platform/tools/", "imageTag", "1.2.3"));

    template.resourceCountIs("AWS::ECR::Repository", 2);
    template.hasResourceProperties("AWS::ECR::Repository", Map.of("RepositoryName", "platform/tools/controller"));
    template.hasResourceProperties("AWS::ECR::Repository", Map.of("RepositoryName", "platform/tools/mirror-worker"));
    template.hasOutput(
        "PushImagesCommand",
        Map.of(
            "Value",
            "java -jar images/target/images.jar --to 123456789012.dkr.ecr.eu-west-1.amazonaws.com/platform/tools"
                + " --tag 1.2.3"));
  }

  @Test
  void anEcrRegistryRootAsPrefixCreatesTopLevelRepositories() {
    Template template = Stacks.template(Map.of("imagePrefix", "123456789012.dkr.ecr.us-east-1.amazonaws.com"));

    template.hasResourceProperties("AWS::ECR::Repository", Map.of("RepositoryName", "controller"));
    template.hasResourceProperties("AWS::ECR::Repository", Map.of("RepositoryName", "mirror-worker"));
  }

  @Test
  void noRepositoriesForImagesInAnotherRegistryOrWhenTurnedOff() {
    Template elsewhere = Stacks.template(Map.of("imagePrefix", "ghcr.io/example"));
    elsewhere.resourceCountIs("AWS::ECR::Repository", 0);
    elsewhere.hasOutput(
        "PushImagesCommand", Map.of("Value", "java -jar images/target/images.jar --to ghcr.io/example"));

    // Deployments whose repositories were made by hand before the stack made them.
    Template existing = Stacks.template(Map.of("createImageRepositories", "false"));
    existing.resourceCountIs("AWS::ECR::Repository", 0);
    existing.hasResourceProperties(
        "AWS::Batch::JobDefinition",
        Map.of(
            "ContainerProperties",
            Match.objectLike(
                Map.of(
                    "Image",
                    Map.of(
                        "Fn::Join",
                        List.of(
                            "",
                            Match.arrayWith(List.of("/ecr-mirror/controller:0.1.0"))))))));
  }

  @Test
  void aMistypedSwitchIsNamed() {
    assertThatThrownBy(() -> Stacks.template(Map.of("createImageRepositories", "yes")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("context createImageRepositories must be true or false, got: yes");
  }

  private static String repository(Template template, String name) {
    return template
        .findResources("AWS::ECR::Repository", Map.of("Properties", Map.of("RepositoryName", name)))
        .keySet()
        .iterator()
        .next();
  }
}
