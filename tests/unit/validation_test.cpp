#include "validation/validate.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <string_view>

namespace houqin::validation {
namespace {

// A fixed "today" keeps the birth-date tests independent of the clock.
constexpr int kToday = 20250101;

// Passes when `s` is Invalid for `field` and each language's message is
// non-empty and contains every given fragment.
::testing::AssertionResult IsInvalid(const Status& s, std::string_view field,
                                     std::initializer_list<std::string_view> en,
                                     std::initializer_list<std::string_view> zh) {
  if (!s.IsInvalid()) return ::testing::AssertionFailure() << "expected invalid, got " << s.ToString();
  if (s.field() != field) return ::testing::AssertionFailure() << "field is " << s.field() << ", expected " << field;
  if (s.en().empty() || s.zh().empty()) return ::testing::AssertionFailure() << "empty message: " << s.ToString();
  for (std::string_view part : en) {
    if (s.en().find(part) == std::string::npos) {
      return ::testing::AssertionFailure() << "en message \"" << s.en() << "\" lacks \"" << part << "\"";
    }
  }
  for (std::string_view part : zh) {
    if (s.zh().find(part) == std::string::npos) {
      return ::testing::AssertionFailure() << "zh message \"" << s.zh() << "\" lacks \"" << part << "\"";
    }
  }
  return ::testing::AssertionSuccess();
}

Status Id(std::string_view value) { return ResidentId(value, "id_number", kToday); }

// --- Resident identity card ------------------------------------------------

TEST(ResidentIdTest, AcceptsRealFormatNumbers) {
  // Check digits computed independently with ISO 7064 MOD 11-2.
  for (std::string_view id : {"11010519491231002X", "310115199001011232", "440306198808088889",
                              "110105200002290013", "32010620040229123X", "510107190001010017",
                              "810000199001011230", "820000198511114560", "830000200109157898"}) {
    EXPECT_TRUE(Id(id).ok()) << id << ": " << Id(id).ToString();
  }
}

TEST(ResidentIdTest, DefaultsToTheRealTodayAndTheIdNumberField) {
  EXPECT_TRUE(ResidentId("11010519491231002X").ok());
  EXPECT_TRUE(IsInvalid(ResidentId("110105194912310021"), "id_number", {"check digit"}, {"校验位"}));
  EXPECT_TRUE(IsInvalid(ResidentId("110105194912310021", "guardian_id"), "guardian_id", {"check digit"}, {"校验位"}));
}

TEST(ResidentIdTest, AcceptsLowercaseXAndSurroundingSpaces) {
  EXPECT_TRUE(Id("11010519491231002x").ok());
  EXPECT_TRUE(Id("  11010519491231002X\t\n").ok());
  EXPECT_TRUE(Id("\u300011010519491231002x\u3000").ok());
  EXPECT_EQ(NormalizeResidentId(" 11010519491231002x "), "11010519491231002X");
}

TEST(ResidentIdTest, ReportsWrongCheckDigitWithTheExpectedOne) {
  EXPECT_TRUE(IsInvalid(Id("110105194912310021"), "id_number", {"check digit is 1, expected X"}, {"校验位为1，应为X"}));
  EXPECT_TRUE(IsInvalid(Id("31011519900101123X"), "id_number", {"check digit is X, expected 2"}, {"校验位为X，应为2"}));
  // Every other check character is refused.
  for (char c : std::string_view("013456789X")) {
    std::string id = "310115199001011232";
    id[17] = c;
    EXPECT_TRUE(IsInvalid(Id(id), "id_number", {"expected 2"}, {"应为2"})) << id;
  }
}

TEST(ResidentIdTest, KnowsLeapYears) {
  EXPECT_TRUE(Id("110105200002290013").ok());  // 2000: divisible by 400
  EXPECT_TRUE(Id("32010620040229123X").ok());
  EXPECT_TRUE(IsInvalid(Id("110105202302290014"), "id_number", {"birth date 20230229 is not a real date"},
                        {"出生日期20230229不存在"}));
  // 1900 is divisible by 100 but not 400, so not a leap year.
  EXPECT_TRUE(IsInvalid(Id("110105190002290017"), "id_number", {"19000229", "not a real date"}, {"19000229", "不存在"}));
}

TEST(ResidentIdTest, RefusesImpossibleDates) {
  EXPECT_TRUE(IsInvalid(Id("110105199902310010"), "id_number", {"birth date 19990231 is not a real date"},
                        {"出生日期19990231不存在"}));
  EXPECT_TRUE(IsInvalid(Id("110105199913010010"), "id_number", {"19991301", "not a real date"}, {"19991301"}));
  EXPECT_TRUE(IsInvalid(Id("110105199901000010"), "id_number", {"19990100", "not a real date"}, {"19990100"}));
  EXPECT_TRUE(IsInvalid(Id("110105199904310010"), "id_number", {"19990431", "not a real date"}, {"19990431"}));
}

TEST(ResidentIdTest, RefusesBirthDatesInTheFuture) {
  EXPECT_TRUE(ResidentId("110105202406010013", "id_number", 20240601).ok());
  EXPECT_TRUE(IsInvalid(ResidentId("110105202406010013", "id_number", 20240531), "id_number",
                        {"birth date 20240601 is in the future"}, {"出生日期20240601晚于今天"}));
}

TEST(ResidentIdTest, RefusesBirthDatesBefore1900) {
  EXPECT_TRUE(Id("510107190001010017").ok());
  EXPECT_TRUE(IsInvalid(Id("110105189912310011"), "id_number", {"18991231", "before 1900-01-01"},
                        {"18991231", "早于1900年1月1日"}));
  // The widely quoted sample has a correct check digit (4 = MOD 11-2 of the
  // first 17), but its 1880 birth date is outside the accepted range; the
  // date is checked first, so that is what is reported.
  EXPECT_TRUE(IsInvalid(Id("440524188001010014"), "id_number", {"18800101", "before 1900"}, {"18800101"}));
}

TEST(ResidentIdTest, RefusesWrongLength) {
  EXPECT_TRUE(IsInvalid(Id("11010519491231002"), "id_number", {"has 17 characters, expected 18"}, {"长度为17位，应为18位"}));
  EXPECT_TRUE(IsInvalid(Id("11010519491231002X1"), "id_number", {"has 19 characters"}, {"长度为19位"}));
  EXPECT_TRUE(IsInvalid(Id("110105491231002"), "id_number", {"has 15 characters"}, {"长度为15位"}));
  EXPECT_TRUE(IsInvalid(Id("   "), "id_number", {"empty"}, {"未填写"}));
}

TEST(ResidentIdTest, RefusesLettersAndCountsCharactersNotBytes) {
  EXPECT_TRUE(IsInvalid(Id("11010A19491231002X"), "id_number", {"'A' at position 6", "first 17", "digits"},
                        {"第6位“A”", "前17位"}));
  EXPECT_TRUE(IsInvalid(Id("11010519491231002Y"), "id_number", {"'Y' at position 18", "digit or X"},
                        {"第18位“Y”", "数字或X"}));
  EXPECT_TRUE(IsInvalid(Id("X10105194912310021"), "id_number", {"'X' at position 1"}, {"第1位“X”"}));
  // Full-width digits: 18 characters (54 bytes), the first of which is no ASCII digit.
  EXPECT_TRUE(IsInvalid(Id("１１０１０５１９４９１２３１００２Ｘ"), "id_number", {"'１' at position 1"}, {"第1位“１”"}));
  EXPECT_TRUE(IsInvalid(Id("1101051949123100\xff" "X"), "id_number", {"UTF-8"}, {"UTF-8"}));
  EXPECT_TRUE(IsInvalid(Id("1101051949123\x01" "002X"), "id_number", {"'U+0001' at position 14"}, {"第14位“U+0001”"}));
}

TEST(ResidentIdTest, RefusesRegionCodesOutsideTheDivisions) {
  for (std::string_view id : {"010105194912310021", "710105194912310021", "910105194912310021",
                              "800000199001011230", "840000199001011230"}) {
    EXPECT_TRUE(IsInvalid(Id(id), "id_number", {"region code " + std::string(id.substr(0, 6))},
                          {"地区码" + std::string(id.substr(0, 6))}))
        << id;
  }
}

TEST(ResidentIdTest, ReportsOnlyTheFirstProblem) {
  // Bad region, impossible date and wrong check digit: the region wins.
  EXPECT_TRUE(IsInvalid(Id("910105199902310011"), "id_number", {"region code"}, {"地区码"}));
  // Impossible date and wrong check digit: the date wins.
  EXPECT_TRUE(IsInvalid(Id("110105199902310011"), "id_number", {"not a real date"}, {"不存在"}));
  // Letter and wrong length: the length wins.
  EXPECT_TRUE(IsInvalid(Id("A1010519491231002"), "id_number", {"has 17 characters"}, {"17位"}));
}

// --- Passports and permits -------------------------------------------------

TEST(PassportTest, AcceptsPassportsOfAnyCountry) {
  for (std::string_view p : {"E12345678", "EA1234567", "G12345678", "e12345678", " 123456789 ", "A1234",
                             "C01X00T47", "AB12345678901234C"}) {
    EXPECT_TRUE(Passport(p).ok()) << p << ": " << Passport(p).ToString();
  }
}

TEST(PassportTest, RefusesMalformedNumbers) {
  EXPECT_TRUE(IsInvalid(Passport("A123"), "passport_number", {"has 4 characters, expected 5 to 17"}, {"长度为4位", "5至17位"}));
  EXPECT_TRUE(IsInvalid(Passport("AB123456789012345C"), "passport_number", {"has 18 characters"}, {"长度为18位"}));
  EXPECT_TRUE(IsInvalid(Passport("E1234-5678"), "passport_number", {"'-' at position 6", "Latin letters and digits"},
                        {"第6位“-”", "拉丁字母和数字"}));
  EXPECT_TRUE(IsInvalid(Passport("护照12345"), "passport_number", {"'护' at position 1"}, {"第1位“护”"}));
  EXPECT_TRUE(IsInvalid(Passport("ABCDEFGH"), "passport_number", {"no digit"}, {"不含数字"}));
  EXPECT_TRUE(IsInvalid(Passport(""), "passport_number", {"empty"}, {"未填写"}));
  EXPECT_TRUE(IsInvalid(Passport("A123", "visa_passport"), "visa_passport", {"has 4 characters"}, {"4位"}));
}

TEST(HkMacauPermitTest, AcceptsCurrentAndOlderForms) {
  for (std::string_view p : {"H12345678", "M12345678", "h12345678", "H1234567890", "M0123456789"}) {
    EXPECT_TRUE(HkMacauPermit(p).ok()) << p << ": " << HkMacauPermit(p).ToString();
  }
}

TEST(HkMacauPermitTest, RefusesMalformedNumbers) {
  EXPECT_TRUE(IsInvalid(HkMacauPermit("C12345678"), "permit_number", {"starts with 'C'", "H (Hong Kong) or M (Macau)"},
                        {"首位为“C”", "H（香港）或M（澳门）"}));
  EXPECT_TRUE(IsInvalid(HkMacauPermit("12345678"), "permit_number", {"starts with '1'"}, {"首位为“1”"}));
  EXPECT_TRUE(IsInvalid(HkMacauPermit("H1234567"), "permit_number", {"has 8 characters", "9", "11"}, {"长度为8位"}));
  EXPECT_TRUE(IsInvalid(HkMacauPermit("H123456789"), "permit_number", {"has 10 characters"}, {"长度为10位"}));
  EXPECT_TRUE(IsInvalid(HkMacauPermit("H1234567A"), "permit_number", {"'A' at position 9", "digits"}, {"第9位“A”", "数字"}));
}

TEST(TaiwanPermitTest, AcceptsEightOrTenDigits) {
  EXPECT_TRUE(TaiwanPermit("12345678").ok());
  EXPECT_TRUE(TaiwanPermit(" 1234567890 ").ok());
}

TEST(TaiwanPermitTest, RefusesMalformedNumbers) {
  EXPECT_TRUE(IsInvalid(TaiwanPermit("1234567"), "permit_number", {"has 7 characters", "8 digits"}, {"长度为7位", "8位数字"}));
  EXPECT_TRUE(IsInvalid(TaiwanPermit("123456789"), "permit_number", {"has 9 characters"}, {"长度为9位"}));
  EXPECT_TRUE(IsInvalid(TaiwanPermit("12345678(B)"), "permit_number", {"has 11 characters"}, {"长度为11位"}));
  EXPECT_TRUE(IsInvalid(TaiwanPermit("1234567A"), "permit_number", {"'A' at position 8", "only digits"},
                        {"第8位“A”", "只能包含数字"}));
}

TEST(DocumentTest, DispatchesByKindAndReportsTheGivenField) {
  EXPECT_TRUE(Document(DocumentKind::kResidentId, "11010519491231002X").ok());
  EXPECT_TRUE(Document(DocumentKind::kPassport, "E12345678").ok());
  EXPECT_TRUE(Document(DocumentKind::kHkMacauPermit, "H12345678").ok());
  EXPECT_TRUE(Document(DocumentKind::kTaiwanPermit, "12345678").ok());

  EXPECT_TRUE(IsInvalid(Document(DocumentKind::kResidentId, "110105194912310021"), "document_number",
                        {"check digit"}, {"校验位"}));
  EXPECT_TRUE(IsInvalid(Document(DocumentKind::kTaiwanPermit, "H1234567", "visitor_document"), "visitor_document",
                        {"'H' at position 1"}, {"第1位“H”"}));
  // The same text may be valid for one kind and not another.
  EXPECT_FALSE(Document(DocumentKind::kResidentId, "E12345678").ok());
}

TEST(DocumentTest, KindNamesRoundTrip) {
  for (DocumentKind kind : {DocumentKind::kResidentId, DocumentKind::kPassport, DocumentKind::kHkMacauPermit,
                            DocumentKind::kTaiwanPermit}) {
    EXPECT_EQ(ParseDocumentKind(DocumentKindName(kind)), kind);
  }
  EXPECT_EQ(DocumentKindName(DocumentKind::kResidentId), "resident_id");
  EXPECT_EQ(DocumentKindName(DocumentKind::kPassport), "passport");
  EXPECT_EQ(DocumentKindName(DocumentKind::kHkMacauPermit), "hk_macau_permit");
  EXPECT_EQ(DocumentKindName(DocumentKind::kTaiwanPermit), "taiwan_permit");
  EXPECT_EQ(ParseDocumentKind("Passport"), std::nullopt);
  EXPECT_EQ(ParseDocumentKind(""), std::nullopt);
  EXPECT_EQ(ParseDocumentKind("id_card"), std::nullopt);
}

// --- Mobile phone ------------------------------------------------------------

TEST(MobilePhoneTest, AcceptsCommonWritings) {
  for (std::string_view p : {"13812345678", "+8613812345678", "+86 138 1234 5678", "86-138-1234-5678",
                             "8613812345678", "138-1234-5678", " 138 1234 5678 ", "+86-13812345678"}) {
    EXPECT_TRUE(MobilePhone(p).ok()) << p << ": " << MobilePhone(p).ToString();
    EXPECT_EQ(NormalizeMobilePhone(p), "13812345678") << p;
  }
  for (std::string_view p : {"13012345678", "14712345678", "15912345678", "16612345678", "17712345678",
                             "18812345678", "19912345678"}) {
    EXPECT_TRUE(MobilePhone(p).ok()) << p;
  }
}

TEST(MobilePhoneTest, RefusesWrongDigitCounts) {
  EXPECT_TRUE(IsInvalid(MobilePhone("138123456789"), "phone", {"has 12 digits, expected 11"}, {"有12位数字，应为11位"}));
  EXPECT_TRUE(IsInvalid(MobilePhone("1381234567"), "phone", {"has 10 digits"}, {"有10位数字"}));
  EXPECT_TRUE(IsInvalid(MobilePhone("+86"), "phone", {"has 0 digits"}, {"有0位数字"}));
  EXPECT_TRUE(IsInvalid(MobilePhone(""), "phone", {"empty"}, {"未填写"}));
}

TEST(MobilePhoneTest, RefusesNumbersThatAreNotMainlandMobiles) {
  EXPECT_TRUE(IsInvalid(MobilePhone("12812345678"), "phone", {"second digit is 2", "3 to 9"}, {"第二位为2", "3至9"}));
  EXPECT_TRUE(IsInvalid(MobilePhone("+86 120 1234 5678"), "phone", {"second digit is 2"}, {"第二位为2"}));
  EXPECT_TRUE(IsInvalid(MobilePhone("23812345678"), "phone", {"starts with 2", "start with 1"}, {"首位为2", "以1开头"}));
  // Eleven digits beginning 86 are not a country code plus a number.
  EXPECT_TRUE(IsInvalid(MobilePhone("86138123456"), "phone", {"starts with 8"}, {"首位为8"}));
  EXPECT_TRUE(IsInvalid(MobilePhone("+1 415 555 0100"), "phone", {"+86"}, {"+86"}));
  EXPECT_TRUE(IsInvalid(MobilePhone("+85291234567"), "phone", {"+86"}, {"+86"}));
}

TEST(MobilePhoneTest, RefusesStrayCharacters) {
  EXPECT_TRUE(IsInvalid(MobilePhone("138a1234567"), "phone", {"'a' at position 4", "digits, spaces and dashes"},
                        {"第4位“a”", "数字、空格和短横线"}));
  EXPECT_TRUE(IsInvalid(MobilePhone("138１2345678"), "phone", {"'１' at position 4"}, {"第4位“１”"}));
  EXPECT_TRUE(IsInvalid(MobilePhone("138  1234 5678"), "phone", {"' ' at position 4", "separate groups"},
                        {"第4位“ ”", "分隔数字组"}));
  EXPECT_TRUE(IsInvalid(MobilePhone("138-1234-5678-"), "phone", {"'-' at position 14"}, {"第14位“-”"}));
  EXPECT_TRUE(IsInvalid(MobilePhone("-13812345678"), "phone", {"'-' at position 1"}, {"第1位“-”"}));
  EXPECT_TRUE(IsInvalid(MobilePhone("(+86)13812345678", "contact_phone"), "contact_phone", {"'(' at position 1"},
                        {"第1位“(”"}));
}

// --- Licence plates ----------------------------------------------------------

TEST(PlateTest, AcceptsOrdinaryPlates) {
  for (std::string_view p : {"京A12345", "京A·12345", "京A•12345", "京A 12345", " 京a12345 ", "沪C8B2K6", "京AD1234",
                             "粤Z1234港", "粤Z1234澳", "京A1234学", "京A1234警", "津B1234挂", "京A1234领", "京AABCDE"}) {
    EXPECT_TRUE(Plate(p).ok()) << p << ": " << Plate(p).ToString();
  }
}

TEST(PlateTest, AcceptsEveryProvinceAbbreviation) {
  const std::string_view provinces[] = {"京", "津", "沪", "渝", "冀", "豫", "云", "辽", "黑", "湘", "皖",
                                        "鲁", "新", "苏", "浙", "赣", "鄂", "桂", "甘", "晋", "蒙", "陕",
                                        "吉", "闽", "贵", "粤", "青", "藏", "川", "宁", "琼"};
  for (std::string_view p : provinces) {
    const std::string plate = std::string(p) + "A12345";
    EXPECT_TRUE(Plate(plate).ok()) << plate;
  }
}

TEST(PlateTest, AcceptsNewEnergyPlates) {
  for (std::string_view p : {"粤B·D12345", "沪AD12345", "沪AF12345", "粤BDA1234", "京A12345D", "京A12345F",
                             "苏E 12345D", "浙a•f12345"}) {
    EXPECT_TRUE(Plate(p).ok()) << p << ": " << Plate(p).ToString();
  }
}

TEST(PlateTest, RefusesUnknownProvinceAndIssuingLetter) {
  EXPECT_TRUE(IsInvalid(Plate("XA12345"), "plate", {"unknown province abbreviation 'X'"}, {"省份简称“X”不存在"}));
  EXPECT_TRUE(IsInvalid(Plate("港A12345"), "plate", {"province abbreviation '港'"}, {"省份简称“港”"}));
  EXPECT_TRUE(IsInvalid(Plate("京I12345"), "plate", {"issuing-authority letter 'I'", "other than I and O"},
                        {"发牌机关代号“I”", "除I和O以外"}));
  EXPECT_TRUE(IsInvalid(Plate("京112345"), "plate", {"issuing-authority letter '1'"}, {"发牌机关代号“1”"}));
  EXPECT_TRUE(IsInvalid(Plate("京·A12345"), "plate", {"issuing-authority letter '·'"}, {"发牌机关代号“·”"}));
}

TEST(PlateTest, RefusesWrongLength) {
  EXPECT_TRUE(IsInvalid(Plate("京A1234"), "plate", {"has 6 characters", "7 (ordinary) or 8 (new-energy)"},
                        {"长度为6位", "7位（普通车牌）或8位（新能源车牌）"}));
  EXPECT_TRUE(IsInvalid(Plate("京A·1234"), "plate", {"has 6 characters"}, {"长度为6位"}));
  EXPECT_TRUE(IsInvalid(Plate("京A1234567"), "plate", {"has 9 characters"}, {"长度为9位"}));
  EXPECT_TRUE(IsInvalid(Plate("京"), "plate", {"has 1 character,"}, {"长度为1位"}));
  EXPECT_TRUE(IsInvalid(Plate(" "), "plate", {"empty"}, {"未填写"}));
}

TEST(PlateTest, RefusesCharactersNotAllowedAtTheirPosition) {
  EXPECT_TRUE(IsInvalid(Plate("京AI2345"), "plate", {"'I' at position 3", "other than I and O"}, {"第3位“I”", "除I和O以外"}));
  EXPECT_TRUE(IsInvalid(Plate("京A1O345"), "plate", {"'O' at position 4"}, {"第4位“O”"}));
  EXPECT_TRUE(IsInvalid(Plate("京A学2345"), "plate", {"'学' at position 3", "only the last"}, {"第3位“学”", "仅末位"}));
  EXPECT_TRUE(IsInvalid(Plate("京A1234使"), "plate", {"'使' at position 7"}, {"第7位“使”"}));
  EXPECT_TRUE(IsInvalid(Plate("京A12-45"), "plate", {"'-' at position 5"}, {"第5位“-”"}));
  EXPECT_TRUE(IsInvalid(Plate("京A12·345"), "plate", {"'·' at position 5", "separator"}, {"第5位“·”", "分隔符"}));
  EXPECT_TRUE(IsInvalid(Plate("京A··12345"), "plate", {"'·' at position 3"}, {"第3位“·”"}));
}

TEST(PlateTest, RefusesMalformedNewEnergyPlates) {
  EXPECT_TRUE(IsInvalid(Plate("京A123456"), "plate", {"new-energy marker D or F", "3rd", "last"},
                        {"新能源标志D或F", "第3位", "末位"}));
  EXPECT_TRUE(IsInvalid(Plate("京A12345学"), "plate", {"new-energy marker"}, {"新能源标志"}));
  // Positions count plate characters; the separator is not one of them.
  EXPECT_TRUE(IsInvalid(Plate("粤B·D1234A"), "plate", {"'A' at position 8", "small new-energy", "4 digits"},
                        {"第8位“A”", "小型新能源车牌"}));
  EXPECT_TRUE(IsInvalid(Plate("沪ADI2345"), "plate", {"'I' at position 4", "small new-energy"}, {"第4位“I”"}));
  EXPECT_TRUE(IsInvalid(Plate("京A1234AD"), "plate", {"'A' at position 7", "large new-energy", "5 digits"},
                        {"第7位“A”", "大型新能源车牌"}));
  EXPECT_TRUE(IsInvalid(Plate("京A1234AD", "vehicle_plate"), "vehicle_plate", {"large new-energy"}, {"大型新能源"}));
}

TEST(PlateTest, RefusesInvalidUtf8) {
  EXPECT_TRUE(IsInvalid(Plate("\xE4\xBA" "A12345"), "plate", {"UTF-8"}, {"UTF-8"}));
  EXPECT_TRUE(IsInvalid(Plate("\xC0\xAF" "A12345"), "plate", {"UTF-8"}, {"UTF-8"}));  // overlong '/'
}

TEST(PlateTest, Normalizes) {
  EXPECT_EQ(NormalizePlate(" 粤b·d12345 "), "粤BD12345");
  EXPECT_EQ(NormalizePlate("京A•12345"), "京A12345");
  EXPECT_EQ(NormalizePlate("京A 12345"), "京A12345");
  EXPECT_EQ(NormalizePlate("京A12345"), "京A12345");
}

TEST(PlateTest, TellsNewEnergyPlates) {
  EXPECT_TRUE(IsNewEnergyPlate("粤BD12345"));
  EXPECT_TRUE(IsNewEnergyPlate("京A12345D"));
  EXPECT_FALSE(IsNewEnergyPlate("京A12345"));
  EXPECT_FALSE(IsNewEnergyPlate("京AD1234"));
  EXPECT_FALSE(IsNewEnergyPlate("京A123456"));  // 8 characters but no marker
}

TEST(PlateTest, FindsTheLastDigitForDrivingRestrictions) {
  EXPECT_EQ(PlateLastDigit("京A12345"), 5);
  EXPECT_EQ(PlateLastDigit("京A1234学"), 4);
  EXPECT_EQ(PlateLastDigit("京A12345D"), 5);
  EXPECT_EQ(PlateLastDigit("京A123BC"), 3);
  EXPECT_EQ(PlateLastDigit("粤BD12340"), 0);
  EXPECT_EQ(PlateLastDigit("京AABCDE"), std::nullopt);
  EXPECT_EQ(PlateLastDigit(""), std::nullopt);
}

}  // namespace
}  // namespace houqin::validation
