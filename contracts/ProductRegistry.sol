// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {IProductRegistry} from "./interfaces/IProductRegistry.sol";
import {RFC9162} from "./libraries/RFC9162.sol";

/// @title ProductRegistry
/// @notice Brand catalogs: the anchored roots of authentic items and authorised sellers (spec §4, §8).
contract ProductRegistry is IProductRegistry, EIP712 {
    bytes32 private constant _DEFAULT_ADMIN_ROLE = 0x00;
    bytes32 private constant _BRAND_OWNER = keccak256("BRAND_OWNER");
    bytes32 private constant _CATALOG_TYPEHASH = keccak256(
        "Catalog(bytes32 brandId,uint64 version,bytes32 itemsRoot,uint64 itemCount,bytes32 sellersRoot,uint64 sellerCount)"
    );

    /// @notice The ParticipantRegistry that holds the admin and the BRAND_OWNER role.
    IAccessControl public immutable participants;

    mapping(bytes32 brandId => Brand brand) private _brands;

    /// @notice Binds the registry to the ParticipantRegistry it takes its admin and brand owners from.
    /// @param participantRegistry The ParticipantRegistry whose admin and BRAND_OWNER role this contract trusts.
    ///        Catalog signatures use the EIP-712 domain ("BorderLedger", "1", this chain, this contract): the name and
    ///        version of events (spec §2.2), with this contract, not the ParticipantRegistry, as verifying contract.
    constructor(IAccessControl participantRegistry) EIP712("BorderLedger", "1") {
        participants = participantRegistry;
    }

    /// @inheritdoc IProductRegistry
    function registerBrand(string calldata name, address owner) external returns (bytes32 brandId) {
        if (!participants.hasRole(_DEFAULT_ADMIN_ROLE, msg.sender)) revert ProductRegistryNotAdmin(msg.sender);
        uint256 nameLength = bytes(name).length;
        if (nameLength == 0 || nameLength > 128) revert ProductRegistryInvalidBrandName(name);
        if (!participants.hasRole(_BRAND_OWNER, owner)) revert ProductRegistryNotBrandOwnerRole(owner);
        brandId = keccak256(bytes(name));
        Brand storage brand = _brands[brandId];
        if (brand.owner != address(0)) revert ProductRegistryBrandAlreadyRegistered(brandId, brand.owner);
        brand.owner = owner;
        brand.name = name;
        emit BrandRegistered(brandId, owner, name);
    }

    /// @inheritdoc IProductRegistry
    function setBrandOwner(bytes32 brandId, address owner) external {
        if (!participants.hasRole(_DEFAULT_ADMIN_ROLE, msg.sender)) revert ProductRegistryNotAdmin(msg.sender);
        Brand storage brand = _brands[brandId];
        address previous = brand.owner;
        if (previous == address(0)) revert ProductRegistryUnknownBrand(brandId);
        if (!participants.hasRole(_BRAND_OWNER, owner)) revert ProductRegistryNotBrandOwnerRole(owner);
        brand.owner = owner;
        emit BrandOwnerChanged(brandId, previous, owner);
    }

    /// @inheritdoc IProductRegistry
    function anchorCatalog(bytes32 brandId, bytes32 itemsRoot, uint64 itemCount, bytes32 sellersRoot, uint64 sellerCount)
        external
    {
        Brand storage brand = _brands[brandId];
        if (brand.owner == address(0)) revert ProductRegistryUnknownBrand(brandId);
        if (msg.sender != brand.owner || !participants.hasRole(_BRAND_OWNER, msg.sender)) {
            revert ProductRegistryNotBrandOwner(brandId, msg.sender);
        }
        _anchorCatalog(brand, brandId, itemsRoot, itemCount, sellersRoot, sellerCount);
    }

    /// @inheritdoc IProductRegistry
    function anchorCatalogSigned(
        bytes32 brandId,
        bytes32 itemsRoot,
        uint64 itemCount,
        bytes32 sellersRoot,
        uint64 sellerCount,
        bytes calldata signature
    ) external {
        Brand storage brand = _brands[brandId];
        address owner = brand.owner;
        if (owner == address(0)) revert ProductRegistryUnknownBrand(brandId);
        // The next version is part of what is signed: a signature anchors once and is dead after any newer catalog.
        bytes32 digest = catalogDigest(brandId, brand.version + 1, itemsRoot, itemCount, sellersRoot, sellerCount);
        address signer = ECDSA.recoverCalldata(digest, signature);
        if (signer != owner) revert ProductRegistryBadCatalogSignature(brandId, signer);
        if (!participants.hasRole(_BRAND_OWNER, owner)) revert ProductRegistryNotBrandOwner(brandId, owner);
        _anchorCatalog(brand, brandId, itemsRoot, itemCount, sellersRoot, sellerCount);
    }

    /// @inheritdoc IProductRegistry
    function brandOf(bytes32 brandId) external view returns (Brand memory) {
        return _brands[brandId];
    }

    /// @inheritdoc IProductRegistry
    function isAuthenticItem(bytes32 brandId, string calldata gtin, string calldata serial, uint64 leafIndex, bytes32[] calldata proof)
        external
        view
        returns (bool)
    {
        Brand storage brand = _brands[brandId];
        return RFC9162.verifyInclusion(leafIndex, brand.itemCount, itemLeafHash(gtin, serial), proof, brand.itemsRoot);
    }

    /// @inheritdoc IProductRegistry
    function isAuthorisedSeller(bytes32 brandId, string calldata sellerId, uint64 leafIndex, bytes32[] calldata proof)
        external
        view
        returns (bool)
    {
        Brand storage brand = _brands[brandId];
        return RFC9162.verifyInclusion(leafIndex, brand.sellerCount, sellerLeafHash(sellerId), proof, brand.sellersRoot);
    }

    /// @inheritdoc IProductRegistry
    function catalogDigest(
        bytes32 brandId,
        uint64 version,
        bytes32 itemsRoot,
        uint64 itemCount,
        bytes32 sellersRoot,
        uint64 sellerCount
    ) public view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(abi.encode(_CATALOG_TYPEHASH, brandId, version, itemsRoot, itemCount, sellersRoot, sellerCount))
        );
    }

    /// @inheritdoc IProductRegistry
    function itemLeafHash(string calldata gtin, string calldata serial) public pure returns (bytes32) {
        return RFC9162.hashLeaf(abi.encode(gtin, serial));
    }

    /// @inheritdoc IProductRegistry
    function sellerLeafHash(string calldata sellerId) public pure returns (bytes32) {
        return RFC9162.hashLeaf(abi.encode(sellerId));
    }

    /// @dev Checks the roots against their counts, stores the brand's next catalog and emits CatalogAnchored. The
    ///      caller has authorised the brand owner.
    function _anchorCatalog(
        Brand storage brand,
        bytes32 brandId,
        bytes32 itemsRoot,
        uint64 itemCount,
        bytes32 sellersRoot,
        uint64 sellerCount
    ) private {
        if ((itemsRoot == bytes32(0)) != (itemCount == 0)) revert ProductRegistryInvalidRoot(brandId, itemsRoot, itemCount);
        if ((sellersRoot == bytes32(0)) != (sellerCount == 0)) {
            revert ProductRegistryInvalidRoot(brandId, sellersRoot, sellerCount);
        }
        uint64 version = brand.version + 1;
        brand.version = version;
        brand.itemsRoot = itemsRoot;
        brand.itemCount = itemCount;
        brand.sellersRoot = sellersRoot;
        brand.sellerCount = sellerCount;
        brand.blockNumber = uint64(block.number);
        emit CatalogAnchored(brandId, version, itemsRoot, itemCount, sellersRoot, sellerCount);
    }
}
