package io.nexodus.api.crypto;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.nexodus.api.client.Json;
import io.nexodus.api.model.PeerMap;
import io.nexodus.api.model.PeerMapKey;
import io.nexodus.api.model.SignedPeerMap;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * Signing and checking peer maps with the JDK's Ed25519. The service signs the map's JSON bytes as it sent them; the
 * agent checks those same bytes, so no canonical form of JSON is needed.
 */
public final class PeerMapSignature {
    private PeerMapSignature() {}

    /** A new key pair for the service. */
    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance(PeerMapKey.ED25519).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no Ed25519", e);
        }
    }

    /** The public half as published: X.509 SubjectPublicKeyInfo, base64. */
    public static String encodePublic(PublicKey key) {
        return Base64.getEncoder().encodeToString(key.getEncoded());
    }

    /** The private half as the service stores it: PKCS#8, base64. */
    public static String encodePrivate(PrivateKey key) {
        return Base64.getEncoder().encodeToString(key.getEncoded());
    }

    public static PublicKey decodePublic(String base64) throws PeerMapException {
        try {
            return KeyFactory.getInstance(PeerMapKey.ED25519)
                    .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64)));
        } catch (GeneralSecurityException | IllegalArgumentException | NullPointerException e) {
            throw new PeerMapException("the service's peer-map key is not an Ed25519 public key", e);
        }
    }

    public static PrivateKey decodePrivate(String base64) {
        try {
            return KeyFactory.getInstance(PeerMapKey.ED25519)
                    .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("the stored peer-map key is not an Ed25519 private key", e);
        }
    }

    /** Signs {@code map} with the service's key {@code keyId}. */
    public static SignedPeerMap sign(PeerMap map, String keyId, PrivateKey key) {
        byte[] payload;
        try {
            payload = Json.mapper().writeValueAsBytes(map);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode the peer map", e);
        }
        try {
            Signature s = Signature.getInstance(PeerMapKey.ED25519);
            s.initSign(key);
            s.update(payload);
            Base64.Encoder b64 = Base64.getEncoder();
            return new SignedPeerMap(keyId, b64.encodeToString(payload), b64.encodeToString(s.sign()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign the peer map", e);
        }
    }

    /**
     * The map, if {@code signed} was signed by {@code key} and is a map of a known format; else a
     * {@link PeerMapException} saying which check failed.
     */
    public static PeerMap verify(SignedPeerMap signed, PeerMapKey key) throws PeerMapException {
        if (signed == null || signed.payload() == null || signed.signature() == null) {
            throw new PeerMapException("the peer map has no payload or no signature");
        }
        if (key == null || !PeerMapKey.ED25519.equals(key.algorithm())) {
            throw new PeerMapException("no Ed25519 key of the service to check the peer map with");
        }
        if (signed.keyId() == null || !signed.keyId().equals(key.keyId())) {
            throw new PeerMapException(
                    "the peer map was signed by key " + signed.keyId() + ", not by the service's key " + key.keyId());
        }
        byte[] payload;
        byte[] signature;
        try {
            payload = Base64.getDecoder().decode(signed.payload());
            signature = Base64.getDecoder().decode(signed.signature());
        } catch (IllegalArgumentException e) {
            throw new PeerMapException("the peer map's payload or signature is not base64", e);
        }
        PublicKey pub = decodePublic(key.publicKey());
        boolean ok;
        try {
            Signature s = Signature.getInstance(PeerMapKey.ED25519);
            s.initVerify(pub);
            s.update(payload);
            ok = s.verify(signature);
        } catch (GeneralSecurityException e) {
            ok = false;
        }
        if (!ok) {
            throw new PeerMapException("the peer map's signature does not verify with the service's key " + key.keyId()
                    + " (altered, or signed by another service)");
        }
        PeerMap map;
        try {
            map = Json.mapper().readValue(payload, PeerMap.class);
        } catch (IOException e) {
            throw new PeerMapException("the signed peer map cannot be read: " + e.getMessage(), e);
        }
        if (map == null || map.format() != PeerMap.FORMAT) {
            throw new PeerMapException(
                    "the peer map has format " + (map == null ? "none" : map.format()) + ", not " + PeerMap.FORMAT);
        }
        if (map.issuedAt() == null
                || map.device() == null
                || map.vpc() == null
                || map.deviceId() == null
                || !map.deviceId().equals(map.device().id())) {
            throw new PeerMapException("the peer map lacks its time, its device or its VPC");
        }
        return map;
    }
}
