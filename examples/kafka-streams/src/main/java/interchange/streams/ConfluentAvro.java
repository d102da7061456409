package interchange.streams;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;

/**
 * Avro in the Confluent wire format (magic byte 0, 4-byte big-endian schema id, Avro binary body), with
 * schemas fetched from a Confluent-compatible Schema Registry API ({@code /schemas/ids/{id}},
 * {@code /subjects/{subject}/versions/latest}) over java.net.http. Confluent's own serdes are not on
 * Maven Central; this is the part of them the example needs.
 */
public final class ConfluentAvro {

    /** The registry could not answer: the event is not at fault, so it must not be dead-lettered. */
    public static final class RegistryUnavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RegistryUnavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final String registry;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final ObjectMapper json = new ObjectMapper();
    private final Map<Integer, GenericDatumReader<GenericRecord>> readers = new ConcurrentHashMap<>();
    private BinaryDecoder decoder;
    private BinaryEncoder encoder;

    /** {@code registry}: the Confluent-compatible base URL, e.g. http://127.0.0.1:8081/apis/ccompat/v7. */
    public ConfluentAvro(String registry) {
        this.registry = registry.endsWith("/") ? registry.substring(0, registry.length() - 1) : registry;
    }

    private JsonNode get(String path) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(registry + path)).timeout(Duration.ofSeconds(30)).GET().build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 404) {
                throw new IllegalArgumentException("registry has no " + path + ": " + response.body());
            }
            if (response.statusCode() != 200) {
                throw new RegistryUnavailable("registry " + path + ": HTTP " + response.statusCode() + " " + response.body(), null);
            }
            return json.readTree(response.body());
        } catch (IOException e) {
            throw new RegistryUnavailable("registry " + path + " unreachable: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Registers {@code schema} under {@code subject} (a no-op when it is already there) and returns its id. */
    public int register(String subject, Schema schema) {
        String body;
        try {
            body = json.writeValueAsString(Map.of("schema", schema.toString()));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the schema of " + subject, e);
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(registry + "/subjects/" + subject + "/versions"))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/vnd.schemaregistry.v1+json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("registry: registering " + subject + ": HTTP " + response.statusCode() + " " + response.body());
            }
            return json.readTree(response.body()).get("id").asInt();
        } catch (IOException e) {
            throw new IllegalStateException("registry unreachable registering " + subject + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The schema registered under {@code id}. */
    public Schema schema(int id) {
        return new Schema.Parser().parse(get("/schemas/ids/" + id).get("schema").asText());
    }

    /** The id of the latest schema of {@code subject}. */
    public int latestId(String subject) {
        return get("/subjects/" + subject + "/versions/latest").get("id").asInt();
    }

    /** A framed event decoded with its writer's schema. */
    public GenericRecord decode(byte[] framed) throws IOException {
        if (framed == null || framed.length < 5 || framed[0] != 0) {
            throw new IOException("not a Confluent-framed Avro event (magic byte 0 + 4-byte schema id)");
        }
        int id = ByteBuffer.wrap(framed, 1, 4).getInt();
        GenericDatumReader<GenericRecord> reader = readers.computeIfAbsent(id, i -> new GenericDatumReader<>(schema(i)));
        decoder = DecoderFactory.get().binaryDecoder(framed, 5, framed.length - 5, decoder);
        return reader.read(null, decoder);
    }

    /** {@code record} framed with schema id {@code id}. */
    public byte[] encode(GenericRecord record, int id, GenericDatumWriter<GenericRecord> writer) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        out.write(0);
        out.write(ByteBuffer.allocate(4).putInt(id).array());
        encoder = EncoderFactory.get().binaryEncoder(out, encoder);
        writer.write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }
}
