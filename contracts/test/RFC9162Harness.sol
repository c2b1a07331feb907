// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {RFC9162} from "../libraries/RFC9162.sol";

/// @title RFC9162Harness
/// @notice Exposes the RFC9162 library to tests. Conformance vectors include hashes of the wrong length, which
///         cannot be expressed as bytes32; this harness takes raw bytes and rejects any that are not 32 long, as
///         the reference verifier does, before handing the rest to the library.
// Test scaffolding: each function takes the library function's parameters, which the library documents.
// solhint-disable use-natspec
contract RFC9162Harness {
    /// @notice RFC9162.verifyInclusion over raw byte strings.
    function verifyInclusion(uint64 index, uint64 size, bytes calldata leafHash, bytes[] calldata proof, bytes calldata root)
        external
        pure
        returns (bool)
    {
        if (leafHash.length != 32 || root.length != 32) return false;
        (bool ok, bytes32[] memory hashes) = _toBytes32(proof);
        return ok && RFC9162.verifyInclusion(index, size, bytes32(leafHash), hashes, bytes32(root));
    }

    /// @notice RFC9162.verifyConsistency over raw byte strings.
    function verifyConsistency(uint64 size1, uint64 size2, bytes calldata root1, bytes calldata root2, bytes[] calldata proof)
        external
        pure
        returns (bool)
    {
        (bool ok, bytes32[] memory hashes) = _toBytes32(proof);
        if (!ok) return false;
        if (root1.length != 32 || root2.length != 32) {
            // Equal sizes compare the roots byte for byte; otherwise a root that is not a hash matches nothing.
            return size1 != 0 && size1 == size2 && proof.length == 0 && keccak256(root1) == keccak256(root2);
        }
        return RFC9162.verifyConsistency(size1, size2, bytes32(root1), bytes32(root2), hashes);
    }

    /// @notice Exposes RFC9162.hashLeaf.
    function hashLeaf(bytes calldata data) external pure returns (bytes32) {
        return RFC9162.hashLeaf(data);
    }

    /// @notice Exposes RFC9162.hashChildren.
    function hashChildren(bytes32 left, bytes32 right) external pure returns (bytes32) {
        return RFC9162.hashChildren(left, right);
    }

    function _toBytes32(bytes[] calldata raw) private pure returns (bool ok, bytes32[] memory hashes) {
        hashes = new bytes32[](raw.length);
        for (uint256 i = 0; i < raw.length; ++i) {
            if (raw[i].length != 32) return (false, hashes);
            hashes[i] = bytes32(raw[i]);
        }
        return (true, hashes);
    }
}
