// Who may do what on the secured local broker (tools/kafka/kafka.sh start --secure, which
// compiles this once into its cache), applied by its super user after every start. Idempotent:
// credentials are upserted, topics created when missing, ACLs added (an existing one is no change).
//   java -cp "<cache>/lib/*" KafkaAccess.java <admin.properties> <topicPrefix> <service>...
// Each service's password comes from KAFKA_SCRAM_PASSWORD_<SERVICE> (kafka.sh sets them all),
// never from the command line, which other local users can read.
import java.io.FileReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

public class KafkaAccess {
  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println("usage: KafkaAccess <admin.properties> <topicPrefix> <service>...");
      System.exit(2);
    }
    Properties config = new Properties();
    try (FileReader reader = new FileReader(args[0])) {
      config.load(reader);
    }
    String prefix = args[1];
    // The names of libs/case/contracts/src/topics.ts (CASE_EVENTS_PARTITIONS = 6).
    String events = prefix + ".case-events.v1";
    String deadLetter = prefix + ".case-events.dead-letter.v1";

    // One list per mechanism: a request may alter each user only once.
    List<UserScramCredentialAlteration> sha512 = new ArrayList<>();
    List<UserScramCredentialAlteration> sha256 = new ArrayList<>();
    List<AclBinding> acls = new ArrayList<>();
    for (int i = 2; i < args.length; i++) {
      String service = args[i];
      String user = "caseline-" + service;
      String variable = "KAFKA_SCRAM_PASSWORD_" + service.toUpperCase().replace('-', '_');
      String password = System.getenv(variable);
      if (password == null || password.isEmpty()) throw new IllegalStateException(variable + " is not set");
      sha512.add(new UserScramCredentialUpsertion(user, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), password));
      sha256.add(new UserScramCredentialUpsertion(user, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 4096), password));
      // Every service consumes the case events in a group of its own, runs the log relay (one
      // elected at a time publishes: all may write the events) and parks poison messages in the
      // dead-letter topic, which only operators (the super user) read. No service creates,
      // deletes or reconfigures topics, nor joins another service's group.
      String principal = "User:" + user;
      acls.add(allow(principal, ResourceType.TOPIC, events, AclOperation.READ));
      acls.add(allow(principal, ResourceType.TOPIC, events, AclOperation.WRITE));
      acls.add(allow(principal, ResourceType.TOPIC, deadLetter, AclOperation.WRITE));
      acls.add(allow(principal, ResourceType.GROUP, prefix + "-" + service, AclOperation.READ));
    }

    try (Admin admin = Admin.create(config)) {
      admin.alterUserScramCredentials(sha512).all().get();
      admin.alterUserScramCredentials(sha256).all().get();
      Set<String> existing = admin.listTopics().names().get();
      List<NewTopic> missing = new ArrayList<>();
      if (!existing.contains(events)) missing.add(new NewTopic(events, 6, (short) 1));
      if (!existing.contains(deadLetter)) missing.add(new NewTopic(deadLetter, 1, (short) 1));
      if (!missing.isEmpty()) admin.createTopics(missing).all().get();
      admin.createAcls(acls).all().get();
    }
    System.out.println("access for " + (args.length - 2) + " services on prefix " + prefix + " applied");
  }

  private static AclBinding allow(String principal, ResourceType type, String name, AclOperation operation) {
    return new AclBinding(
        new ResourcePattern(type, name, PatternType.LITERAL),
        new AccessControlEntry(principal, "*", operation, AclPermissionType.ALLOW));
  }
}
