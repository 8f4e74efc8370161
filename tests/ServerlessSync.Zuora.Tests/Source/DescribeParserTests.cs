using System.Text;
using ServerlessSync.Core.Model;

namespace ServerlessSync.Zuora.Tests.Source;

public class DescribeParserTests
{
    private static readonly ZuoraObject Account = ZuoraCatalog.Find("account")!;

    private static string Field(string name, string type, params string[] contexts) =>
        $"<field><name>{name}</name><label>{name} label</label><type>{type}</type><contexts>{string.Concat(contexts.Select(c => $"<context>{c}</context>"))}</contexts></field>";

    private static Task<(DescribedObject Described, List<string> Log)> ParseAsync(params string[] fields) => ParseWithRelatedAsync([], fields);

    private static async Task<(DescribedObject Described, List<string> Log)> ParseWithRelatedAsync(string[] related, params string[] fields)
    {
        var objects = string.Concat(related.Select(r => $"<object href=\"https://rest.zuora.com/v1/describe/{r}\"><name>{r}</name><label>{r}</label></object>"));
        var xml = $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><object><name>Account</name><label>Account</label><fields>{string.Concat(fields)}</fields><related-objects>{objects}</related-objects></object>";
        var log = new List<string>();
        var described = await DescribeParser.ParseAsync(Account, new MemoryStream(Encoding.UTF8.GetBytes(xml)), log.Add, CancellationToken.None);
        return (described, log);
    }

    [Fact]
    public async Task ParseAsync_ExportFields_MapTypesAndLowercaseNames()
    {
        var (described, _) = await ParseAsync(
            Field("Id", "text", "export", "soap"),
            Field("Name", "Text", "export"),
            Field("Status", "picklist", "export"),
            Field("AutoPay", "boolean", "export"),
            Field("BillCycleDay", "integer", "export"),
            Field("Balance", "decimal", "export"),
            Field("LastInvoiceDate", "date", "export"),
            Field("UpdatedDate", "datetime", "export"),
            Field("Region__c", "rich_text", "export"),
            Field("RolloverBalance", "decimal", "soap"));

        Assert.Equal(
            ["id:varchar", "name:varchar", "status:varchar", "autopay:boolean", "billcycleday:bigint", "balance:decimal(28,9)", "lastinvoicedate:date", "updateddate:timestamptz", "region__c:varchar"],
            described.Schema.Columns.Select(c => $"{c.Name}:{c.Type}"));
        Assert.Equal("Region__c", described.Fields[^1].ZuoraName);
    }

    [Fact]
    public async Task ParseAsync_RelatedObjects_BecomeJoinedIdColumnsAfterTheFields()
    {
        var (described, _) = await ParseWithRelatedAsync(
            ["BillToContact", "ParentAccount", "Account", "SubscriptionStatusHistory", "DefaultPaymentMethod"],
            Field("Id", "text", "export"), Field("UpdatedDate", "datetime", "export"), Field("DefaultPaymentMethodId", "text", "export"));

        // Itself, a join that fails every export, and a parent a field already carries are not joined.
        Assert.Equal(["id", "updateddate", "defaultpaymentmethodid", "billtocontactid", "parentaccountid"], described.Schema.Columns.Select(c => c.Name));
        Assert.Equal(["Id", "UpdatedDate", "DefaultPaymentMethodId", "BillToContact.Id", "ParentAccount.Id"], described.Fields.Select(f => f.ZuoraName));
        Assert.Equal(ColumnType.String, described.Schema.Columns[^1].Type);
    }

    [Fact]
    public async Task ParseAsync_FieldNotSelectableOrNestedInARelatedObject_IsSkipped()
    {
        const string nested = "<field><name>Stray</name><type>text</type><selectable>true</selectable><contexts><context>export</context></contexts></field>";
        var xml = "<object><name>Account</name><fields>"
            + "<field><name>Id</name><type>text</type><selectable>true</selectable><contexts><context>export</context></contexts></field>"
            + "<field><name>SequenceSetId</name><type>text</type><selectable>false</selectable><contexts><context>export</context></contexts></field>"
            + "<field><name>UpdatedDate</name><type>datetime</type><selectable>true</selectable><contexts><context>export</context></contexts></field>"
            + $"</fields><related-objects><object><name>Contact</name>{nested}</object></related-objects></object>";

        var described = await DescribeParser.ParseAsync(Account, new MemoryStream(Encoding.UTF8.GetBytes(xml)), _ => { }, CancellationToken.None);

        Assert.Equal(["id", "updateddate", "contactid"], described.Schema.Columns.Select(c => c.Name));
    }

    [Fact]
    public async Task ParseAsync_NamesThatAreNotColumns_AreSkippedAndLogged()
    {
        var (described, log) = await ParseAsync(
            Field("Id", "text", "export"),
            Field("UpdatedDate", "datetime", "export"),
            Field("_Hidden", "text", "export"),
            Field("Bad-Name", "text", "export"),
            Field("ID", "text", "export"));

        Assert.Equal(["id", "updateddate"], described.Schema.Columns.Select(c => c.Name));
        Assert.Equal(3, log.Count);
        Assert.Contains(log, l => l.Contains("Bad-Name", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ParseAsync_UpdatedDateNotExportable_ThrowsNamingObjectAndField()
    {
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => ParseAsync(Field("Id", "text", "export"), Field("UpdatedDate", "datetime", "soap")));

        Assert.Contains("Account", error.Message, StringComparison.Ordinal);
        Assert.Contains("UpdatedDate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ZuoraNamesFor_ColumnDescribeLacks_ThrowsNamingIt()
    {
        var (described, _) = await ParseAsync(Field("Id", "text", "export"), Field("UpdatedDate", "datetime", "export"));
        var schema = new ObjectSchema("account", [.. described.Schema.Columns, new ColumnSchema("ghost", ColumnType.String)]);

        Assert.Contains("'ghost'", Assert.Throws<InvalidDataException>(() => described.ZuoraNamesFor(schema)).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("TEXT", "varchar")]
    [InlineData("DateTime", "timestamptz")]
    [InlineData("Integer", "bigint")]
    [InlineData("currency", "varchar")]
    [InlineData(null, "varchar")]
    public void MapType_CaseInsensitive_OthersAreVarchar(string? zuoraType, string expected) => Assert.Equal(expected, DescribeParser.MapType(zuoraType).ToString());
}
