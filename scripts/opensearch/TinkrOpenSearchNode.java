// A single real OpenSearch node in this JVM, for specs and the demo.
// Started by scripts/stack (see there); not part of tinkr itself.
//
// usage: java -cp <classes>:<runner classpath> TinkrOpenSearchNode <home> <http-port> <transport-port>
//
// System properties (all optional) for the other shapes scripts/stack runs:
//   -Dtinkr.cluster.seeds=127.0.0.1:p1,127.0.0.1:p2,...   join a cluster (no single-node discovery)
//   -Dtinkr.cluster.managers=node-1,node-2,node-3          its initial cluster-manager nodes
//   -Dtinkr.node.name=node-1
//   -Dtinkr.default.replicas=false   OpenSearch 1.x has no cluster.default_number_of_replicas

import org.codelibs.opensearch.runner.OpenSearchRunner;

public final class TinkrOpenSearchNode {
    private TinkrOpenSearchNode() {
    }

    public static void main(final String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: TinkrOpenSearchNode <home> <http-port> <transport-port>");
            System.exit(2);
        }
        final String home = args[0];
        final String httpPort = args[1];
        final String transportPort = args[2];

        final OpenSearchRunner runner = new OpenSearchRunner();
        // SIGTERM from `scripts/stack down` closes the node cleanly.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                runner.close();
            } catch (final Exception e) {
                System.err.println("closing OpenSearch: " + e);
            }
        }));

        final String seeds = System.getProperty("tinkr.cluster.seeds", "");
        final String managers = System.getProperty("tinkr.cluster.managers", "");
        final String nodeName = System.getProperty("tinkr.node.name", "");
        final boolean defaultReplicas = Boolean.parseBoolean(System.getProperty("tinkr.default.replicas", "true"));
        runner.onBuild((index, settings) -> {
            settings.put("network.host", "127.0.0.1");
            settings.put("http.port", httpPort);
            settings.put("transport.port", transportPort);
            // The state dir may sit on a nearly full disk; never go read-only.
            settings.put("cluster.routing.allocation.disk.threshold_enabled", "false");
            if (!nodeName.isEmpty()) {
                settings.put("node.name", nodeName);
            }
            if (seeds.isEmpty()) {
                settings.put("discovery.type", "single-node");
                // One node: replicas could never be assigned (status would stay yellow).
                if (defaultReplicas) {
                    settings.put("cluster.default_number_of_replicas", "0");
                }
            } else {
                settings.put("discovery.type", "zen");
                settings.put("discovery.seed_hosts", seeds);
                settings.put("cluster.initial_cluster_manager_nodes", managers);
            }
        });

        try {
            runner.build(OpenSearchRunner.newConfigs()
                    .basePath(home)
                    .numOfNode(1)
                    .clusterName("tinkr-stack")
                    .printOnFailure());
        } catch (final Exception e) {
            System.err.println("OpenSearch failed to start: " + e);
            e.printStackTrace();
            System.exit(1);
        }
        System.out.println("tinkr-stack: OpenSearch listening on http://127.0.0.1:" + httpPort);

        while (!runner.isClosed()) {
            Thread.sleep(1000);
        }
    }
}
