// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @title HeadsMap
/// @notice Head proofs of the shipment heads map (spec §3.2): a binary sparse Merkle tree over 256-bit shipment keys,
///         SHA-256, in which a subtree with no keys is EMPTY (32 zero bytes), a subtree with one key is that key's
///         head leaf, sitting as high as it can, and a subtree with two or more keys is node(left, right).
/// @dev Bit i of a key counts from the most significant bit of its first byte. Hashing uses the sha256 precompile.
///      Nothing here reverts: callers revert with their own errors carrying their own context.
library HeadsMap {
    /// @notice A shipment's newest entry in a log.
    /// @param seq The entry's seq in its shipment.
    /// @param leafIndex The entry's index in the log.
    /// @param leafHash The entry's RFC 9162 leaf hash.
    struct Head {
        uint64 seq;
        uint64 leafIndex;
        bytes32 leafHash;
    }

    /// @notice A head proof for `key`: the value the proof starts from and the siblings on `key`'s path.
    /// @param key The shipment key the proof is about.
    /// @param kind KIND_ABSENT: no key holds the place (the walk starts from EMPTY); KIND_HEAD: `key`'s own head,
    ///        given by seq, leafIndex and leafHash; KIND_OTHER: another key, `otherKey`, holds the place, and seq,
    ///        leafIndex and leafHash are its head.
    /// @param otherKey The key holding the place, for KIND_OTHER; ignored otherwise.
    /// @param seq The head's seq (KIND_HEAD, KIND_OTHER).
    /// @param leafIndex The head's leaf index (KIND_HEAD, KIND_OTHER).
    /// @param leafHash The head's leaf hash (KIND_HEAD, KIND_OTHER).
    /// @param siblings siblings[i] is the sibling at depth i + 1 on `key`'s path; at most 256.
    struct HeadProof {
        bytes32 key;
        uint8 kind;
        bytes32 otherKey;
        uint64 seq;
        uint64 leafIndex;
        bytes32 leafHash;
        bytes32[] siblings;
    }

    /// @notice HeadProof.kind: the proof shows that no key holds the place of `key` (it is absent).
    uint8 internal constant KIND_ABSENT = 0;
    /// @notice HeadProof.kind: the proof shows `key`'s own head.
    uint8 internal constant KIND_HEAD = 1;
    /// @notice HeadProof.kind: the proof shows another key in the place of `key` (so `key` is absent).
    uint8 internal constant KIND_OTHER = 2;
    /// @notice The most siblings a proof can have: one per bit of a key.
    uint256 internal constant MAX_DEPTH = 256;

    /// @notice The leaf of a key and its head: SHA-256(0x02 || abi.encode(key, seq, leafIndex, leafHash)).
    /// @param key The shipment key.
    /// @param seq The head's seq.
    /// @param leafIndex The head's leaf index.
    /// @param leafHash The head's leaf hash.
    function headLeaf(bytes32 key, uint64 seq, uint64 leafIndex, bytes32 leafHash) internal pure returns (bytes32) {
        // Each field takes a whole 32-byte word, as abi.encode lays them out.
        return sha256(abi.encodePacked(bytes1(0x02), key, uint256(seq), uint256(leafIndex), leafHash));
    }

    /// @notice An interior node: SHA-256(0x03 || left || right).
    /// @param left The left child's hash.
    /// @param right The right child's hash.
    function hashNode(bytes32 left, bytes32 right) internal pure returns (bytes32) {
        return sha256(abi.encodePacked(bytes1(0x03), left, right));
    }

    /// @notice The root a head proof leads to (spec §3.2). The proof holds for a map iff it is well formed and its
    ///         root is the map's root.
    /// @param p The proof.
    /// @return wellFormed False if the proof has more than 256 siblings, an unknown kind, or (KIND_OTHER) names `key`
    ///         itself or a key that does not share `key`'s first `siblings.length` bits.
    /// @return root The root, or zero when the proof is not well formed.
    function rootOf(HeadProof memory p) internal pure returns (bool wellFormed, bytes32 root) {
        uint256 depth = p.siblings.length;
        if (depth > MAX_DEPTH || p.kind > KIND_OTHER) return (false, bytes32(0));
        bytes32 h;
        if (p.kind == KIND_HEAD) {
            h = headLeaf(p.key, p.seq, p.leafIndex, p.leafHash);
        } else if (p.kind == KIND_OTHER) {
            // A shift by 256 gives zero, so at depth 0 every other key shares the (empty) prefix.
            if (p.otherKey == p.key || (uint256(p.key) ^ uint256(p.otherKey)) >> (MAX_DEPTH - depth) != 0) {
                return (false, bytes32(0));
            }
            h = headLeaf(p.otherKey, p.seq, p.leafIndex, p.leafHash);
        }
        uint256 key = uint256(p.key);
        for (uint256 i = depth; i > 0; --i) {
            bytes32 sibling = p.siblings[i - 1];
            // Bit i - 1 of the key, counting from its most significant bit, says on which side the path goes.
            h = (key >> (MAX_DEPTH - i)) & 1 == 0 ? hashNode(h, sibling) : hashNode(sibling, h);
        }
        return (true, h);
    }
}
