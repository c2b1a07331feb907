// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @title RFC9162
/// @notice Verification of RFC 9162 (RFC 6962) Merkle inclusion and consistency proofs over SHA-256,
///         with leaf prefix 0x00 and interior node prefix 0x01. Ported from the algorithm of
///         transparency-dev/merkle (proof/verify.go), which the conformance vectors come from.
/// @dev Hashing uses the sha256 precompile. All functions return false instead of reverting so that
///      callers can revert with their own errors carrying their own context.
library RFC9162 {
    /// @notice The hash of an interior node: SHA-256(0x01 || left || right) (RFC 9162 §2.1.1).
    /// @param left The left child's hash.
    /// @param right The right child's hash.
    function hashChildren(bytes32 left, bytes32 right) internal pure returns (bytes32) {
        return sha256(abi.encodePacked(bytes1(0x01), left, right));
    }

    /// @notice The hash of a leaf: SHA-256(0x00 || data) (RFC 9162 §2.1.1).
    /// @param data The leaf's bytes.
    function hashLeaf(bytes memory data) internal pure returns (bytes32) {
        return sha256(abi.encodePacked(bytes1(0x00), data));
    }

    /// @notice Checks that `leafHash` is leaf `index` of the tree of `size` leaves with root `root`
    ///         (RFC 9162 §2.1.3.2).
    /// @param index The leaf's index, below `size`.
    /// @param size The tree's number of leaves.
    /// @param leafHash The leaf's hash.
    /// @param proof The inclusion proof, from the leaf's sibling up.
    /// @param root The tree's root.
    function verifyInclusion(uint64 index, uint64 size, bytes32 leafHash, bytes32[] memory proof, bytes32 root)
        internal
        pure
        returns (bool)
    {
        if (index >= size) return false;
        (uint256 inner, uint256 border) = _decomposeInclusionProof(index, size);
        if (proof.length != inner + border) return false;
        bytes32 hash = leafHash;
        for (uint256 i = 0; i < inner; ++i) {
            hash = ((index >> i) & 1) == 0 ? hashChildren(hash, proof[i]) : hashChildren(proof[i], hash);
        }
        for (uint256 i = inner; i < proof.length; ++i) {
            hash = hashChildren(proof[i], hash);
        }
        return hash == root;
    }

    /// @notice Checks that the tree of `size2` leaves with root `root2` extends the tree of `size1`
    ///         leaves with root `root1` (RFC 9162 §2.1.4.2). A proof from size 0 is refused: every tree extends
    ///         the empty one, so it would show nothing.
    /// @param size1 The older tree's number of leaves.
    /// @param size2 The newer tree's number of leaves, at least `size1`.
    /// @param root1 The older tree's root.
    /// @param root2 The newer tree's root.
    /// @param proof The consistency proof.
    function verifyConsistency(uint64 size1, uint64 size2, bytes32 root1, bytes32 root2, bytes32[] memory proof)
        internal
        pure
        returns (bool)
    {
        if (size2 < size1 || size1 == 0) return false;
        if (size1 == size2) return proof.length == 0 && root1 == root2;
        if (proof.length == 0) return false;

        (uint256 inner, uint256 border) = _decomposeInclusionProof(size1 - 1, size2);
        uint256 shift = _trailingZeros(size1);
        inner -= shift; // shift < inner because size1 < size2

        // The proof starts with the root of the subtree of size 2^shift, unless size1 is exactly that subtree.
        bytes32 seed;
        uint256 start;
        if (uint256(size1) == uint256(1) << shift) {
            seed = root1;
            start = 0;
        } else {
            seed = proof[0];
            start = 1;
        }
        if (proof.length != start + inner + border) return false;

        uint64 mask = (size1 - 1) >> shift;
        bytes32 hash1 = seed;
        bytes32 hash2 = seed;
        for (uint256 i = 0; i < inner; ++i) {
            bytes32 sibling = proof[start + i];
            if (((mask >> i) & 1) == 1) {
                hash1 = hashChildren(sibling, hash1);
                hash2 = hashChildren(sibling, hash2);
            } else {
                hash2 = hashChildren(hash2, sibling);
            }
        }
        for (uint256 i = start + inner; i < proof.length; ++i) {
            hash1 = hashChildren(proof[i], hash1);
            hash2 = hashChildren(proof[i], hash2);
        }
        return hash1 == root1 && hash2 == root2;
    }

    /// @dev Splits an inclusion proof for `index` in a tree of `size` leaves into the part below the
    ///      subtree split point (inner) and the right-border part above it.
    function _decomposeInclusionProof(uint64 index, uint64 size) private pure returns (uint256 inner, uint256 border) {
        inner = _bitLength(index ^ (size - 1));
        border = _popCount(index >> inner);
    }

    function _bitLength(uint64 x) private pure returns (uint256 n) {
        // Halving steps rather than a loop over every bit: anchor() runs this once per checkpoint.
        if (x == 0) return 0;
        unchecked {
            if (x >> 32 != 0) (x, n) = (x >> 32, n + 32);
            if (x >> 16 != 0) (x, n) = (x >> 16, n + 16);
            if (x >> 8 != 0) (x, n) = (x >> 8, n + 8);
            if (x >> 4 != 0) (x, n) = (x >> 4, n + 4);
            if (x >> 2 != 0) (x, n) = (x >> 2, n + 2);
            if (x >> 1 != 0) ++n;
            return n + 1;
        }
    }

    function _popCount(uint64 x) private pure returns (uint256 n) {
        unchecked {
            // Each step clears the lowest set bit, so the loop runs once per set bit.
            for (; x != 0; ++n) x &= x - 1;
        }
    }

    function _trailingZeros(uint64 x) private pure returns (uint256 n) {
        if (x == 0) return 64;
        unchecked {
            for (; x & 1 == 0; ++n) x >>= 1;
        }
    }
}
