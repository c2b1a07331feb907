// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @title IProductRegistry
/// @notice Brand owners anchor the Merkle roots of their authentic serialised items (GTIN + serial) and of their
///         authorised sellers; anyone checks an item or a seller against them (spec §4, §8).
///         Both trees are RFC 9162 trees: item leaf = SHA-256(0x00 || abi.encode(string gtin, string serial)),
///         seller leaf = SHA-256(0x00 || abi.encode(string sellerId)).
///         A catalog can also be anchored by anyone who carries the brand owner's EIP-712 signature of it (domain
///         "BorderLedger", version "1", this chain, this contract):
///         Catalog(bytes32 brandId,uint64 version,bytes32 itemsRoot,uint64 itemCount,bytes32 sellersRoot,uint64 sellerCount).
interface IProductRegistry {
    /// @notice A brand's owner and its latest catalog.
    /// @param owner The brand owner's account (holds BRAND_OWNER).
    /// @param name The brand name as written in events (`brand` fields).
    /// @param version Number of catalogs anchored so far (0 = none).
    /// @param itemsRoot RFC 9162 root of the authentic items.
    /// @param itemCount Number of leaves in the items tree.
    /// @param sellersRoot RFC 9162 root of the authorised sellers.
    /// @param sellerCount Number of leaves in the sellers tree.
    /// @param blockNumber Block of the latest catalog.
    struct Brand {
        address owner;
        string name;
        uint64 version;
        bytes32 itemsRoot;
        uint64 itemCount;
        bytes32 sellersRoot;
        uint64 sellerCount;
        uint64 blockNumber;
    }

    /// @notice A brand was registered to its owner.
    /// @param brandId keccak256(utf8(name)).
    /// @param owner The brand owner's account.
    /// @param name The brand name.
    event BrandRegistered(bytes32 indexed brandId, address indexed owner, string name);
    /// @notice A brand was handed to a new owner (for example after its owner was revoked).
    /// @param brandId The brand.
    /// @param previousOwner The owner replaced.
    /// @param owner The new owner.
    event BrandOwnerChanged(bytes32 indexed brandId, address indexed previousOwner, address indexed owner);
    /// @notice A brand's catalog of authentic items and authorised sellers was anchored.
    /// @param brandId The brand.
    /// @param version The catalog's version (1 for the first).
    /// @param itemsRoot RFC 9162 root of the authentic items.
    /// @param itemCount Number of leaves in the items tree.
    /// @param sellersRoot RFC 9162 root of the authorised sellers.
    /// @param sellerCount Number of leaves in the sellers tree.
    event CatalogAnchored(
        bytes32 indexed brandId,
        uint64 version,
        bytes32 itemsRoot,
        uint64 itemCount,
        bytes32 sellersRoot,
        uint64 sellerCount
    );

    /// @notice The caller does not hold DEFAULT_ADMIN_ROLE in the ParticipantRegistry.
    error ProductRegistryNotAdmin(address caller);
    /// @notice The account does not hold BRAND_OWNER in the ParticipantRegistry.
    error ProductRegistryNotBrandOwnerRole(address account);
    /// @notice The brand name is empty or longer than 128 bytes.
    error ProductRegistryInvalidBrandName(string name);
    /// @notice The brand is already registered to an owner.
    error ProductRegistryBrandAlreadyRegistered(bytes32 brandId, address owner);
    /// @notice No brand with this id is registered.
    error ProductRegistryUnknownBrand(bytes32 brandId);
    /// @notice The caller is not the brand's owner or has lost BRAND_OWNER; for anchorCatalogSigned, `caller` is the
    ///         owner who signed and has lost BRAND_OWNER.
    error ProductRegistryNotBrandOwner(bytes32 brandId, address caller);
    /// @notice A non-empty tree has a zero root, or an empty tree a non-zero root.
    error ProductRegistryInvalidRoot(bytes32 brandId, bytes32 root, uint64 count);
    /// @notice A catalog signature does not recover to the brand's owner for the brand's next version.
    /// @param brandId The brand.
    /// @param signer The address the signature recovers to over the submitted catalog (a random-looking address
    ///        when the signature was made over other values: another version, root, count, chain or contract).
    error ProductRegistryBadCatalogSignature(bytes32 brandId, address signer);

    /// @notice Registers a brand to an owner. Admin only; the owner must hold BRAND_OWNER.
    /// @param name The brand name; its id is keccak256(utf8(name)).
    /// @param owner The brand owner's account.
    /// @return brandId keccak256(utf8(name)).
    function registerBrand(string calldata name, address owner) external returns (bytes32 brandId);

    /// @notice Hands a brand to a new owner. Admin only; the new owner must hold BRAND_OWNER. The catalog stays
    ///         until the new owner anchors another.
    /// @param brandId The brand.
    /// @param owner The new owner.
    function setBrandOwner(bytes32 brandId, address owner) external;

    /// @notice Anchors a new catalog for a brand. Brand owner only, still holding BRAND_OWNER.
    /// @param brandId The brand.
    /// @param itemsRoot RFC 9162 root of the authentic items (zero when itemCount is 0).
    /// @param itemCount Number of items.
    /// @param sellersRoot RFC 9162 root of the authorised sellers (zero when sellerCount is 0).
    /// @param sellerCount Number of sellers.
    function anchorCatalog(bytes32 brandId, bytes32 itemsRoot, uint64 itemCount, bytes32 sellersRoot, uint64 sellerCount)
        external;

    /// @notice Anchors a new catalog for a brand on its owner's behalf: anyone may submit it (the node does, holding
    ///         only its own key). The signature must be the brand owner's EIP-712 signature of
    ///         Catalog(brandId, version, itemsRoot, itemCount, sellersRoot, sellerCount) with version = the brand's
    ///         current version + 1, so it is accepted at most once and never after a newer catalog. The owner must
    ///         still hold BRAND_OWNER. Same checks on the roots, same state and same CatalogAnchored as anchorCatalog.
    /// @dev Reverts with ProductRegistryUnknownBrand for an unregistered brand; with OpenZeppelin's
    ///      ECDSAInvalidSignatureLength(length) when the signature is not 65 bytes, ECDSAInvalidSignatureS(s) when s is
    ///      in the upper half of the curve order (EIP-2), ECDSAInvalidSignature() when no address recovers (for
    ///      example v not 27 or 28); with ProductRegistryBadCatalogSignature(brandId, signer) when it recovers to
    ///      someone other than the owner; then with ProductRegistryNotBrandOwner(brandId, owner) when the owner has
    ///      lost BRAND_OWNER, and with ProductRegistryInvalidRoot as anchorCatalog does.
    /// @param brandId The brand.
    /// @param itemsRoot RFC 9162 root of the authentic items (zero when itemCount is 0).
    /// @param itemCount Number of items.
    /// @param sellersRoot RFC 9162 root of the authorised sellers (zero when sellerCount is 0).
    /// @param sellerCount Number of sellers.
    /// @param signature The owner's 65-byte signature r || s || v of catalogDigest(brandId, version + 1, ...).
    function anchorCatalogSigned(
        bytes32 brandId,
        bytes32 itemsRoot,
        uint64 itemCount,
        bytes32 sellersRoot,
        uint64 sellerCount,
        bytes calldata signature
    ) external;

    /// @notice The EIP-712 digest a brand owner signs to authorise a catalog for anchorCatalogSigned, so clients
    ///         can cross-check their own: hashTypedDataV4(keccak256(abi.encode(CATALOG_TYPEHASH, brandId, version,
    ///         itemsRoot, itemCount, sellersRoot, sellerCount))).
    /// @param brandId The brand.
    /// @param version The catalog version the signature is for (the brand's current version + 1 to be accepted).
    /// @param itemsRoot RFC 9162 root of the authentic items.
    /// @param itemCount Number of items.
    /// @param sellersRoot RFC 9162 root of the authorised sellers.
    /// @param sellerCount Number of sellers.
    /// @return The digest in this contract's domain on this chain.
    function catalogDigest(
        bytes32 brandId,
        uint64 version,
        bytes32 itemsRoot,
        uint64 itemCount,
        bytes32 sellersRoot,
        uint64 sellerCount
    ) external view returns (bytes32);

    /// @notice A brand and its latest catalog.
    /// @param brandId The brand.
    /// @return The brand (owner zero if unknown).
    function brandOf(bytes32 brandId) external view returns (Brand memory);

    /// @notice Whether (gtin, serial) is leaf `leafIndex` of the brand's latest items tree.
    /// @param brandId The brand.
    /// @param gtin The item's GTIN.
    /// @param serial The item's serial number.
    /// @param leafIndex The item's leaf index in the items tree.
    /// @param proof RFC 9162 inclusion proof.
    /// @return True if the proof checks against the anchored root.
    function isAuthenticItem(bytes32 brandId, string calldata gtin, string calldata serial, uint64 leafIndex, bytes32[] calldata proof)
        external
        view
        returns (bool);

    /// @notice Whether `sellerId` is leaf `leafIndex` of the brand's latest sellers tree.
    /// @param brandId The brand.
    /// @param sellerId The seller's id as written in ORDER events.
    /// @param leafIndex The seller's leaf index in the sellers tree.
    /// @param proof RFC 9162 inclusion proof.
    /// @return True if the proof checks against the anchored root.
    function isAuthorisedSeller(bytes32 brandId, string calldata sellerId, uint64 leafIndex, bytes32[] calldata proof)
        external
        view
        returns (bool);

    /// @notice The leaf hash of an item: SHA-256(0x00 || abi.encode(gtin, serial)).
    /// @param gtin The item's GTIN.
    /// @param serial The item's serial number.
    /// @return The leaf hash.
    function itemLeafHash(string calldata gtin, string calldata serial) external pure returns (bytes32);

    /// @notice The leaf hash of a seller: SHA-256(0x00 || abi.encode(sellerId)).
    /// @param sellerId The seller's id.
    /// @return The leaf hash.
    function sellerLeafHash(string calldata sellerId) external pure returns (bytes32);
}
