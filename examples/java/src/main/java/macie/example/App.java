// A member account, an S3 bucket monitored for the master, and a prefix monitored for the member,
// with the Java SDK of the native plugin (pulumi-resource-macie); the same stack as examples/basic.
package macie.example;

import com.pulumi.Config;
import com.pulumi.Context;
import com.pulumi.Pulumi;
import com.pulumi.macie.MacieMemberAccount;
import com.pulumi.macie.MacieMemberAccountArgs;
import com.pulumi.macie.MacieS3Resource;
import com.pulumi.macie.MacieS3ResourceArgs;
import com.pulumi.macie.enums.ContinuousClassificationType;
import com.pulumi.macie.enums.OneTimeClassificationType;
import com.pulumi.macie.inputs.ClassificationTypeArgs;
import com.pulumi.macie.outputs.ClassificationType;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

public final class App {
    private App() {}

    public static void main(String[] args) {
        Pulumi.run(App::stack);
    }

    /** Declares the stack's resources and outputs (its tests run it under Pulumi's mocks). */
    public static void stack(Context ctx) {
        Config config = ctx.config();
        String bucket = config.get("bucket").orElse("corp-logs");

        var member = new MacieMemberAccount("audit", MacieMemberAccountArgs.builder()
            .memberAccountId(config.get("memberAccountId").orElse("111122223333"))
            .build());

        var masterLogs = new MacieS3Resource("master-logs", MacieS3ResourceArgs.builder()
            .bucketName(bucket)
            .classificationType(ClassificationTypeArgs.builder()
                .oneTime(oneTime(config.get("oneTime").orElse("FULL")))
                .continuous(ContinuousClassificationType.Full)
                .build())
            .build());

        var memberLogs = new MacieS3Resource("member-logs", MacieS3ResourceArgs.builder()
            .bucketName(bucket)
            .prefix(config.get("prefix").orElse("2024/"))
            .memberAccountId(member.memberAccountId())
            .build());

        ctx.export("memberAccountId", member.memberAccountId());
        ctx.export("masterLogsId", masterLogs.id());
        ctx.export("memberLogsId", memberLogs.id());
        // Stack outputs of the SDK's output types do not serialize (Pulumi's Java SDK takes maps,
        // lists and scalars there): the classification is exported as a map of its wire values.
        ctx.export("memberLogsClassification", memberLogs.classificationType().applyValue(App::wireValues));
    }

    /** A classification as its wire form, {"oneTime": …, "continuous": …}, leaving out what is unset. */
    static Map<String, String> wireValues(ClassificationType classification) {
        var values = new TreeMap<String, String>();
        classification.oneTime().ifPresent(value -> values.put("oneTime", value.getValue()));
        classification.continuous().ifPresent(value -> values.put("continuous", value.getValue()));
        return values;
    }

    /** The one-time classification named by its wire value (FULL or NONE). */
    static OneTimeClassificationType oneTime(String value) {
        return Arrays.stream(OneTimeClassificationType.values())
            .filter(type -> type.getValue().equals(value))
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException(
                "oneTime is \"" + value + "\": it must be FULL or NONE"));
    }
}
