package dev.ecrmirror.images;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * A minimal tar writer and reader for tests, independent of the code under test: enough of ustar
 * to write a base layer and read back what jib wrote (PAX headers are skipped, their long names honoured).
 */
final class Tars {
  private static final int BLOCK = 512;

  private Tars() {}

  /** A gzip-compressed tar of regular files, mode 0755, owned by root, dated at the epoch. */
  static byte[] gzipTar(Map<String, byte[]> files) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
      gzip.write(tar(files));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** An uncompressed tar of regular files. */
  static byte[] tar(Map<String, byte[]> files) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Map.Entry<String, byte[]> file : files.entrySet()) {
      byte[] header = new byte[BLOCK];
      put(header, 0, 100, file.getKey());
      put(header, 100, 8, "0000755");
      put(header, 108, 8, "0000000");
      put(header, 116, 8, "0000000");
      put(header, 124, 12, String.format("%011o", file.getValue().length));
      put(header, 136, 12, "00000000000");
      header[156] = '0';
      put(header, 257, 6, "ustar");
      put(header, 263, 2, "00");
      for (int i = 148; i < 156; i++) {
        header[i] = ' ';
      }
      long sum = 0;
      for (byte b : header) {
        sum += b & 0xff;
      }
      put(header, 148, 8, String.format("%06o", sum) + "\0 ");
      out.writeBytes(header);
      out.writeBytes(file.getValue());
      out.writeBytes(new byte[(BLOCK - file.getValue().length % BLOCK) % BLOCK]);
    }
    out.writeBytes(new byte[2 * BLOCK]);
    return out.toByteArray();
  }

  /** The regular files of a gzip-compressed tar, by path without a leading {@code /} or {@code ./}. */
  static Map<String, byte[]> readGzip(byte[] gzipped) {
    try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(gzipped))) {
      return read(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The regular files of an uncompressed tar. */
  static Map<String, byte[]> read(byte[] tar) {
    Map<String, byte[]> files = new LinkedHashMap<>();
    int pos = 0;
    String longName = null;
    while (pos + BLOCK <= tar.length && tar[pos] != 0) {
      String name = field(tar, pos, 100);
      String prefix = field(tar, pos + 345, 155);
      if (!prefix.isEmpty()) {
        name = prefix + "/" + name;
      }
      long size = Long.parseLong(field(tar, pos + 124, 12).trim(), 8);
      byte type = tar[pos + 156];
      int data = pos + BLOCK;
      byte[] content = java.util.Arrays.copyOfRange(tar, data, (int) (data + size));
      if (type == 'x') {
        longName = paxPath(content);
      } else if (type == 'L') {
        longName = new String(content, StandardCharsets.UTF_8).replace("\0", "");
      } else {
        if (longName != null) {
          name = longName;
          longName = null;
        }
        if (type == '0' || type == 0) {
          files.put(name.replaceFirst("^\\./", "").replaceFirst("^/", ""), content);
        }
      }
      pos = data + (int) ((size + BLOCK - 1) / BLOCK * BLOCK);
    }
    return files;
  }

  private static String paxPath(byte[] content) {
    for (String record : new String(content, StandardCharsets.UTF_8).split("\n")) {
      int space = record.indexOf(' ');
      if (space > 0 && record.startsWith("path=", space + 1)) {
        return record.substring(space + 1 + "path=".length());
      }
    }
    return null;
  }

  private static void put(byte[] header, int offset, int length, String value) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    System.arraycopy(bytes, 0, header, offset, Math.min(length, bytes.length));
  }

  private static String field(byte[] tar, int offset, int length) {
    int end = offset;
    while (end < offset + length && tar[end] != 0) {
      end++;
    }
    return new String(tar, offset, end - offset, StandardCharsets.UTF_8);
  }
}
