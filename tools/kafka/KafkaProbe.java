// Readiness probe of the local Caseline Kafka broker (tools/kafka/kafka.sh, which compiles it
// once into its cache). Also runs with the Java source launcher on the broker's own jars:
//   java -cp "<cache>/lib/*" KafkaProbe.java 127.0.0.1:9092 [timeoutSeconds [client.properties]]
// (client.properties: how to authenticate, for the secured broker of kafka.sh --secure.)
// Exit 0 once a broker answers a DescribeCluster request with at least one
// (registered, unfenced) broker; exit 1 when none does before the timeout.
import java.io.FileReader;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterResult;

public class KafkaProbe {
  public static void main(String[] args) throws Exception {
    String bootstrap = args.length > 0 ? args[0] : "127.0.0.1:9092";
    long timeoutMs = (args.length > 1 ? Long.parseLong(args[1]) : 5) * 1000L;
    long deadline = System.currentTimeMillis() + timeoutMs;
    Properties p = new Properties();
    if (args.length > 2) {
      try (FileReader reader = new FileReader(args[2])) {
        p.load(reader);
      }
    }
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "3000");
    p.put(AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, "200");
    p.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "500");
    String last = "no answer";
    try (Admin admin = Admin.create(p)) {
      while (true) {
        try {
          DescribeClusterResult r = admin.describeCluster();
          int brokers = r.nodes().get(3, TimeUnit.SECONDS).size();
          String clusterId = r.clusterId().get(3, TimeUnit.SECONDS);
          if (brokers > 0) {
            System.out.println("cluster " + clusterId + ", " + brokers + " broker(s)");
            return;
          }
          last = "cluster " + clusterId + " has no unfenced broker yet";
        } catch (Exception e) {
          last = e.getCause() != null ? e.getCause().toString() : e.toString();
        }
        if (System.currentTimeMillis() >= deadline) {
          System.err.println("no Kafka broker answered on " + bootstrap + ": " + last);
          System.exit(1);
        }
        Thread.sleep(500);
      }
    }
  }
}
